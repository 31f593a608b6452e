using Ibex.Sql;
using Npgsql;

namespace Ibex.Cli;

/// <summary>Bridges <c>sync add</c> to the schema-diff engine: the SQL that makes a node's tables match the source.</summary>
public static class SchemaFix
{
    public static Task<string?> ForTablesAsync(NpgsqlConnection source, NpgsqlConnection other, IReadOnlyCollection<QualifiedName> tables, CancellationToken cancellationToken)
        => Task.FromResult<string?>(null);
}
