using Ibex.Sql;

namespace Ibex.Schema;

/// <summary>What a schema diff compares and what it may do.</summary>
public sealed record SchemaDiffOptions
{
    /// <summary>The schemas to compare; null for every schema except the system ones and Ibex's own (<c>ibex</c>).</summary>
    public IReadOnlyList<string>? Schemas { get; init; }

    /// <summary>
    /// Include statements that can lose data. Without it they are still returned, but listed in
    /// <see cref="SchemaDiffResult.RefusedHazards"/> so the caller can refuse to print them.
    /// </summary>
    public bool AllowHazards { get; init; }

    /// <summary>Compare privileges (GRANT/REVOKE) too.</summary>
    public bool WithPrivileges { get; init; }

    /// <summary>
    /// Only these tables (and their partitions) with their columns, constraints, indexes, triggers and policies, plus
    /// the types, sequences, functions and other objects they need; other objects of the target are never dropped.
    /// </summary>
    public IReadOnlyCollection<QualifiedName>? OnlyTables { get; init; }
}
