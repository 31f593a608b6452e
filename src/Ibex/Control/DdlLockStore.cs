using Npgsql;
using NpgsqlTypes;

namespace Ibex.Control;

/// <summary>
/// The multi-master DDL lock of a sync in the control database (<c>ibex.ddl_lock</c>, one row per sync): which source
/// node holds it, and the position and text of its last DDL statement, which must reach every other node before the
/// lock is released.
/// </summary>
public sealed class DdlLockStore(ControlDatabase control)
{
    /// <summary>One sync's lock: its holder, the position of the holder's last DDL statement, and that statement.</summary>
    public sealed record Held(string Holder, NpgsqlLogSequenceNumber Lsn, string Statement);

    // Taken if free, moved forward if the holder already has it; either way the row as it now is. None when another
    // node took it in a transaction that committed after this statement began (it waited for that row, but its
    // snapshot does not show it): asked again, the row is there.
    const string TakeSql = """
        WITH taken AS (
            INSERT INTO ibex.ddl_lock AS l (sync, holder, lsn, statement) VALUES ($1, $2, $3, $4)
            ON CONFLICT (sync) DO UPDATE SET lsn = greatest(l.lsn, excluded.lsn),
                statement = CASE WHEN excluded.lsn > l.lsn THEN excluded.statement ELSE l.statement END
            WHERE l.holder = excluded.holder
            RETURNING holder, lsn, statement)
        SELECT holder, lsn, statement FROM taken
        UNION ALL
        SELECT holder, lsn, statement FROM ibex.ddl_lock WHERE sync = $1 AND NOT EXISTS (SELECT 1 FROM taken)
        """;

    /// <summary>
    /// Takes the lock for <paramref name="holder"/>'s statement at <paramref name="lsn"/>; returns who holds it now
    /// (<paramref name="holder"/> or another node, never nobody: two nodes taking it at the same moment both learn
    /// which of them has it).
    /// </summary>
    public async Task<Held> TakeAsync(string sync, string holder, NpgsqlLogSequenceNumber lsn, string statement, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            await using var cmd = new NpgsqlCommand(TakeSql, conn);
            cmd.Parameters.Add(new() { Value = sync });
            cmd.Parameters.Add(new() { Value = holder });
            cmd.Parameters.Add(new() { Value = lsn, NpgsqlDbType = NpgsqlDbType.PgLsn });
            cmd.Parameters.Add(new() { Value = statement });
            if (await ReadAsync(cmd, cancellationToken).ConfigureAwait(false) is { } held)
                return held;
        }
    }

    /// <summary>The lock as it is now, or null when no node holds it.</summary>
    public async Task<Held?> GetAsync(string sync, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT holder, lsn, statement FROM ibex.ddl_lock WHERE sync = $1", conn);
        cmd.Parameters.Add(new() { Value = sync });
        return await ReadAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Releases the lock if it is still <paramref name="held"/> and <paramref name="released"/> (which clears the nodes'
    /// copies of it) says so, with the row locked meanwhile: a holder moving it forward waits, and writes the nodes'
    /// copies again after this. Returns whether it was released.
    /// </summary>
    public async Task<bool> ReleaseAsync(string sync, Held held, Func<CancellationToken, Task<bool>> released, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(released);
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = new NpgsqlCommand("SELECT holder, lsn, statement FROM ibex.ddl_lock WHERE sync = $1 FOR UPDATE", conn, tx))
        {
            cmd.Parameters.Add(new() { Value = sync });
            if (await ReadAsync(cmd, cancellationToken).ConfigureAwait(false) != held || !await released(cancellationToken).ConfigureAwait(false))
                return false;
        }
        await using (var cmd = new NpgsqlCommand("DELETE FROM ibex.ddl_lock WHERE sync = $1", conn, tx))
        {
            cmd.Parameters.Add(new() { Value = sync });
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Forgets the sync's lock (its DDL is no longer replicated).</summary>
    public async Task ClearAsync(string sync, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("DELETE FROM ibex.ddl_lock WHERE sync = $1", conn);
        cmd.Parameters.Add(new() { Value = sync });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    static async Task<Held?> ReadAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await r.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new Held(r.GetString(0), r.GetFieldValue<NpgsqlLogSequenceNumber>(1), r.GetString(2))
            : null;
    }
}
