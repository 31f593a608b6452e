using Npgsql;
using NpgsqlTypes;

namespace Ibex.Control;

/// <summary>Requests to run a sync now (<c>ibex sync kick</c>), in <c>ibex.kick</c>.</summary>
public sealed class KickStore(ControlDatabase control)
{
    /// <summary>One kick and how it went.</summary>
    public sealed record Kick(long Id, string Status, long? Rows, string? Message, DateTime RequestedAt, DateTime? StartedAt, DateTime? FinishedAt);

    public async Task<long> RequestAsync(string sync, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("INSERT INTO ibex.kick (sync) VALUES ($1) RETURNING id", conn);
        cmd.Parameters.Add(new() { Value = sync });
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<Kick?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT id, status, rows, message, requested_at, started_at, finished_at FROM ibex.kick WHERE id = $1", conn);
        cmd.Parameters.Add(new() { Value = id });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        return new Kick(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetDateTime(4),
            r.IsDBNull(5) ? null : r.GetDateTime(5), r.IsDBNull(6) ? null : r.GetDateTime(6));
    }

    /// <summary>Takes every pending kick of the sync (one run serves them all); returns their ids.</summary>
    public async Task<IReadOnlyList<long>> ClaimAsync(string sync, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("UPDATE ibex.kick SET status = 'running', started_at = now() WHERE sync = $1 AND status = 'pending' RETURNING id", conn);
        cmd.Parameters.Add(new() { Value = sync });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<long>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            ids.Add(r.GetInt64(0));
        return ids;
    }

    public async Task FinishAsync(IReadOnlyList<long> ids, bool ok, long rows, string message, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
            return;
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("UPDATE ibex.kick SET status = $2, rows = $3, message = $4, finished_at = now() WHERE id = ANY($1)", conn);
        cmd.Parameters.Add(new() { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = ok ? "done" : "failed" });
        cmd.Parameters.Add(new() { Value = rows });
        cmd.Parameters.Add(new() { Value = message });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
