using Ibex.Sql;

namespace Ibex.Declarative;

/// <summary>A table of a sync in a configuration file: its name on the sources and its per-table settings.</summary>
public sealed record TableConfig(QualifiedName Name, string? Where = null, IReadOnlyList<string>? Columns = null, QualifiedName? Map = null, string? Conflict = null)
{
    /// <summary>True when the settings that shape what replicates (filter, columns, name on targets) are the same.</summary>
    public bool SameShape(TableConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Name == other.Name && Where == other.Where && Map == other.Map
            && (Columns ?? []).SequenceEqual(other.Columns ?? []) && (Columns is null) == (other.Columns is null);
    }
}
