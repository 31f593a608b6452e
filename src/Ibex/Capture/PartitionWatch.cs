using Ibex.Sql;
using Npgsql;

namespace Ibex.Capture;

/// <summary>
/// Notices partitions of the sync's tables that appear or go while the stream runs. A partitioned table replicates
/// through its root, so its changes keep flowing; but PostgreSQL logs no change for the rows a table already held when
/// it was attached, nor for the rows of a partition detached or dropped. The targets then differ from the source
/// without any error, so each such partition is named in a warning with the way to bring the targets back.
/// </summary>
public sealed class PartitionWatch(string sourceNode, string sync)
{
    const string PartitionsSql = """
        SELECT t.relid::oid, n.nspname, c.relname, rn.nspname, rc.relname
        FROM unnest($1::oid[]) AS r(oid)
        CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.oid) t
        JOIN pg_catalog.pg_class c ON c.oid = t.relid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_class rc ON rc.oid = r.oid JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE t.relid <> r.oid AND t.isleaf
        """;

    Dictionary<uint, (QualifiedName Partition, QualifiedName Root)>? _known;

    /// <summary>
    /// Reads the partitions of <paramref name="roots"/> (the sync's tables on the source, by OID) and returns a warning
    /// for each one that appeared holding rows or that went since the last call; the first call only takes note.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckAsync(NpgsqlConnection conn, IReadOnlyCollection<uint> roots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conn);
        var now = new Dictionary<uint, (QualifiedName Partition, QualifiedName Root)>();
        await using (var cmd = new NpgsqlCommand(PartitionsSql, conn))
        {
            cmd.Parameters.Add(new() { Value = roots.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                now[r.GetFieldValue<uint>(0)] = (new QualifiedName(r.GetString(1), r.GetString(2)), new QualifiedName(r.GetString(3), r.GetString(4)));
        }
        var warnings = new List<string>();
        if (_known is not null)
        {
            foreach (var (oid, (partition, root)) in now.Where(p => !_known.ContainsKey(p.Key)))
            {
                if (await HoldsRowsAsync(conn, partition, cancellationToken).ConfigureAwait(false))
                    warnings.Add($"source '{sourceNode}': {partition.Display} became a partition of {root.Display} (sync '{sync}') holding rows: rows it held before ATTACH PARTITION are not replicated (PostgreSQL logs no change for them); 'ibex compare {sync} --tables {root.Display} --repair-sql' prints the SQL that brings the targets in line");
            }
            foreach (var (partition, root) in _known.Where(p => !now.ContainsKey(p.Key)).Select(p => p.Value))
                warnings.Add($"source '{sourceNode}': partition {partition.Display} left {root.Display} (sync '{sync}'), detached or dropped: its rows left the source's table without a logged delete and stay on the targets; 'ibex compare {sync} --tables {root.Display} --repair-sql' prints the SQL that brings the targets in line");
        }
        _known = now;
        return warnings;
    }

    static async Task<bool> HoldsRowsAsync(NpgsqlConnection conn, QualifiedName partition, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM ONLY {partition.Quoted})", conn);
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }
}
