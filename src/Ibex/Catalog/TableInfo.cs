using Ibex.Sql;

namespace Ibex.Catalog;

/// <summary>A table as the catalog describes it: columns in order, and the columns that identify a row.</summary>
/// <param name="Name">Schema and table name.</param>
/// <param name="Oid">pg_class OID in the database it was read from.</param>
/// <param name="Columns">Columns in attnum order (dropped columns excluded).</param>
/// <param name="KeyColumns">Primary key, else the columns of a unique index on NOT NULL columns; empty when there is neither.</param>
/// <param name="KeyIndex">Name of the unique index backing <paramref name="KeyColumns"/> when it is not the primary key.</param>
/// <param name="ReplicaIdentity">pg_class.relreplident: d (default), n (nothing), f (full), i (index).</param>
/// <param name="Partitioned">A partitioned table (relkind p).</param>
/// <param name="EstimatedRows">pg_class.reltuples, for progress reporting (-1 when never analyzed).</param>
public sealed record TableInfo(
    QualifiedName Name,
    uint Oid,
    IReadOnlyList<ColumnInfo> Columns,
    IReadOnlyList<string> KeyColumns,
    string? KeyIndex,
    char ReplicaIdentity,
    bool Partitioned,
    long EstimatedRows)
{
    /// <summary>True when PostgreSQL can identify rows of this table for UPDATE and DELETE.</summary>
    public bool HasPrimaryKey => KeyColumns.Count > 0 && KeyIndex is null;

    /// <summary>True when replication can identify a row: a key, or REPLICA IDENTITY FULL.</summary>
    public bool IsReplicable => KeyColumns.Count > 0 || ReplicaIdentity == 'f';

    /// <summary>Columns replication writes (generated columns are computed by the target itself).</summary>
    public IEnumerable<ColumnInfo> WritableColumns => Columns.Where(c => !c.Generated);

    public ColumnInfo? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>Binary COPY is portable for this table when every written column is.</summary>
    public bool BinaryCopySafe => WritableColumns.All(c => c.BinarySafe);
}
