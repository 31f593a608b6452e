using Ibex.Connections;
using Ibex.Control;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Daemon;

/// <summary>
/// Which daemon runs a sync: a session-level advisory lock in the control database, held on a dedicated session of its
/// own (never a pooled one, which could be returned to the pool or lose the lock unnoticed) and watched. When that
/// session ends — the control database restarted, the backend was terminated, the network is gone — the lock is free
/// for a standby, so the holder must stop at once: <see cref="WatchAsync"/> returns within <see cref="DetectWithin"/>
/// and the runner stops the sync's pipelines. A standby that takes the lock waits <see cref="TakeoverDelay"/> first, so
/// the two never apply at the same time.
/// </summary>
public sealed class SyncLease : IAsyncDisposable
{
    static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    const int CheckTimeoutSeconds = 2;

    /// <summary>The longest a holder runs on after its lock is gone: a check interval plus its timeout.</summary>
    public static readonly TimeSpan DetectWithin = CheckEvery + TimeSpan.FromSeconds(CheckTimeoutSeconds);

    /// <summary>How long a daemon that just took the lock waits before running: longer than a lost holder takes to stop.</summary>
    public static readonly TimeSpan TakeoverDelay = DetectWithin + TimeSpan.FromSeconds(2);

    readonly NpgsqlConnection _session;

    SyncLease(NpgsqlConnection session) => _session = session;

    /// <summary>Takes the sync's lock on a new dedicated session; null when another daemon holds it.</summary>
    public static async Task<SyncLease?> TryAcquireAsync(ControlDatabase control, string sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        var b = SessionSettings.For(control.Settings, "ibex lock");
        b.CommandTimeout = CheckTimeoutSeconds;
        b.KeepAlive = 1;
        var session = new NpgsqlConnection(b.ConnectionString);
        try
        {
            await session.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('ibex.sync'), hashtext($1))", session);
            cmd.Parameters.Add(new() { Value = sync });
            if ((bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                return new SyncLease(session);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw new IbexException($"cannot take the lock of sync '{sync}' in the control database {control.Description}: {Errors.Describe(e)}", e);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        await session.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Returns when the lock is lost (with the reason), or throws <see cref="OperationCanceledException"/> when cancelled.
    /// A session that answers still holds its session-level lock; one that does not may have lost it.
    /// </summary>
    public async Task<string> WatchAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(CheckEvery, cancellationToken).ConfigureAwait(false);
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT 1", _session);
                await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                return Errors.Describe(e);
            }
        }
    }

    public ValueTask DisposeAsync() => _session.DisposeAsync();
}
