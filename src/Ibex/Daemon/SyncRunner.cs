using Ibex.Conflicts;
using Ibex.Control;
using Ibex.Control.Model;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Daemon;

/// <summary>
/// Runs one sync: holds its advisory lock in the control database (so two daemons never run the same sync; a second
/// daemon waits as a standby), then runs one <see cref="SourcePipeline"/> per source.
/// </summary>
public sealed class SyncRunner(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes, ControlDatabase control, DaemonOptions options, ILoggerFactory loggers)
{
    readonly ILogger _log = loggers.CreateLogger("Ibex.Daemon");

    public SyncRecord Sync { get; } = sync;

    public IReadOnlyList<SourcePipeline> Pipelines { get; private set; } = [];

    /// <summary>Multi-master state shared by the links (conflict log and counts); null for one-way syncs.</summary>
    public MultiMasterCoordinator? Coordinator { get; private set; }

    /// <summary>True while this daemon holds the sync (another daemon may be running it instead).</summary>
    public bool Owned { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var waitingLogged = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            NpgsqlConnection? lockConn = null;
            try
            {
                lockConn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('ibex.sync'), hashtext($1))", lockConn))
                {
                    cmd.Parameters.Add(new() { Value = Sync.Name });
                    Owned = (bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                }
                if (!Owned)
                {
                    if (!waitingLogged)
                        _log.LogInformation("sync {Sync} is run by another ibex daemon; standing by", Sync.Name);
                    waitingLogged = true;
                    await lockConn.DisposeAsync().ConfigureAwait(false);
                    lockConn = null;
                    await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                _log.LogInformation("sync {Sync}: running {Sources} source(s), {Links} link(s)", Sync.Name, Sync.Sources.Count(), Sync.Links.Count);
                var mm = Sync.Sources.Count() > 1
                    ? new MultiMasterCoordinator(Sync, nodes, control, loggers.CreateLogger("Ibex.Conflicts"))
                    {
                        HeartbeatInterval = options.Heartbeat,
                        TombstoneMargin = options.TombstoneMargin,
                        PurgeInterval = options.TombstonePurgeInterval,
                    }
                    : null;
                Coordinator = mm;
                Pipelines = [.. Sync.Sources.Select(s => new SourcePipeline(Sync, s.Node, nodes, control, options.Apply, loggers, mm))];
                using var mmCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var mmTask = mm?.RunAsync(mmCts.Token) ?? Task.CompletedTask;
                try
                {
                    await Task.WhenAll(Pipelines.Select(p => p.RunAsync(cancellationToken))).ConfigureAwait(false);
                }
                finally
                {
                    await mmCts.CancelAsync().ConfigureAwait(false);
                    await mmTask.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (IbexException e)
            {
                // The control database is unreachable: keep trying; pipelines stop with the token only.
                _log.LogWarning("sync {Sync}: {Error}", Sync.Name, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Owned = false;
                if (lockConn is not null)
                    await lockConn.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
