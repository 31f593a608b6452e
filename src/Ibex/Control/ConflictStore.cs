using Npgsql;
using NpgsqlTypes;

namespace Ibex.Control;

/// <summary>Reads the conflict log (<c>ibex.conflict</c>) and marks aborted conflicts as resolved.</summary>
public sealed class ConflictStore(ControlDatabase control)
{
    /// <summary>One logged conflict as <c>ibex conflicts</c> shows it.</summary>
    public sealed record Entry(long Id, DateTime At, string Sync, string Schema, string Table, string Key, string Kind, string Node,
        string? LocalOrigin, string RemoteOrigin, string? LocalRow, string? RemoteRow, DateTime? LocalCommitTimestamp, DateTime? RemoteCommitTimestamp,
        string Strategy, string Winner, bool Resolved);

    public async Task<IReadOnlyList<Entry>> ListAsync(string? sync, DateTime? since, int limit, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("""
            SELECT id, at, sync, schema_name, table_name, key::text, kind, node, local_origin, remote_origin, local_row::text, remote_row::text,
                   local_commit_ts, remote_commit_ts, strategy, winner, resolved
            FROM ibex.conflict
            WHERE ($1::text IS NULL OR sync = $1) AND ($2::timestamptz IS NULL OR at >= $2)
            ORDER BY id DESC LIMIT $3
            """, conn);
        cmd.Parameters.Add(new() { Value = (object?)sync ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)since ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new() { Value = limit });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<Entry>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new Entry(r.GetInt64(0), r.GetDateTime(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7),
                r.IsDBNull(8) ? null : r.GetString(8), r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11),
                r.IsDBNull(12) ? null : r.GetDateTime(12), r.IsDBNull(13) ? null : r.GetDateTime(13), r.GetString(14), r.GetString(15), r.GetBoolean(16)));
        list.Reverse();
        return list;
    }

    /// <summary>Conflicts per sync and kind (all time).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> CountsAsync(CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT sync, kind, count(*) FROM ibex.conflict GROUP BY sync, kind", conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, Dictionary<string, long>>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!result.TryGetValue(r.GetString(0), out var kinds))
                result[r.GetString(0)] = kinds = [];
            kinds[r.GetString(1)] = r.GetInt64(2);
        }
        return result.ToDictionary(k => k.Key, k => (IReadOnlyDictionary<string, long>)k.Value);
    }

    /// <summary>The operator resumed the sync: aborted conflicts count as resolved (decided by latest on every node).</summary>
    public async Task<int> ResolveAbortedAsync(string sync, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("UPDATE ibex.conflict SET resolved = true WHERE sync = $1 AND winner = 'aborted' AND NOT resolved", conn);
        cmd.Parameters.Add(new() { Value = sync });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
