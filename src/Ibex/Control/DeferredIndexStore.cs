using Ibex.Copy;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Control;

/// <summary>
/// Indexes an initial copy dropped on a target until its data is in (<c>ibex.deferred_index</c>): recorded before
/// the drop and forgotten once the index exists again, so a daemon that dies in between recreates them at its next start.
/// </summary>
public sealed class DeferredIndexStore(ControlDatabase control)
{
    public sealed record Entry(string Target, IndexDefinition Index);

    public async Task AddAsync(string sync, string source, string target, IReadOnlyList<IndexDefinition> indexes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(conn);
        foreach (var i in indexes)
            batch.BatchCommands.Add(Command("""
                INSERT INTO ibex.deferred_index (sync, source, target, schema_name, table_name, index_name, definition) VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (sync, source, target, schema_name, index_name) DO UPDATE SET table_name = excluded.table_name, definition = excluded.definition, recorded_at = now()
                """, sync, source, target, i.Index.Schema, i.Table.Name, i.Index.Name, i.Sql));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Entry>> ListAsync(string sync, string source, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT target, schema_name, table_name, index_name, definition FROM ibex.deferred_index WHERE sync = $1 AND source = $2 ORDER BY target, schema_name, index_name", conn);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = source });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<Entry>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new Entry(r.GetString(0), new IndexDefinition(new QualifiedName(r.GetString(1), r.GetString(2)), new QualifiedName(r.GetString(1), r.GetString(3)), r.GetString(4))));
        return list;
    }

    public async Task RemoveAsync(string sync, string source, string target, QualifiedName index, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("DELETE FROM ibex.deferred_index WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND index_name = $5", conn);
        foreach (var a in new[] { sync, source, target, index.Schema, index.Name })
            cmd.Parameters.Add(new() { Value = a });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    static NpgsqlBatchCommand Command(string sql, params object[] args)
    {
        var c = new NpgsqlBatchCommand(sql);
        foreach (var a in args)
            c.Parameters.Add(new NpgsqlParameter { Value = a });
        return c;
    }
}
