using Ibex.Conflicts;
using Ibex.Control;
using Ibex.Control.Model;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Daemon;

/// <summary>
/// Runs one sync: holds its advisory lock in the control database (so two daemons never run the same sync; a second
/// daemon waits as a standby), then runs one <see cref="SourcePipeline"/> per source (continuously, or on kicks in kick
/// mode), and beside them the kick and schedule runner, the WAL-retention guard and, for multi-master, the coordinator.
/// </summary>
public sealed class SyncRunner(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes, ControlDatabase control, DaemonOptions options, ILoggerFactory loggers)
{
    readonly ILogger _log = loggers.CreateLogger("Ibex.Daemon");
    readonly RepeatedWarning _controlAway = new(loggers.CreateLogger("Ibex.Daemon"));

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
                _controlAway.Clear($"sync {Sync.Name}: the control database is back");
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
                await RunOwnedAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (IbexException e)
            {
                // The control database is unreachable: keep trying (saying so once a minute); pipelines stop with the token only.
                _controlAway.Report($"sync {Sync.Name}: {e.Message}");
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

    async Task RunOwnedAsync(CancellationToken cancellationToken)
    {
        var mode = Sync.Options.KickMode ? "kick mode" : "streaming";
        _log.LogInformation("sync {Sync}: running {Sources} source(s), {Links} link(s), {Mode}", Sync.Name, Sync.Sources.Count(), Sync.Links.Count, mode);
        var mm = Sync.Sources.Count() > 1
            ? new MultiMasterCoordinator(Sync, nodes, control, loggers.CreateLogger("Ibex.Conflicts"))
            {
                HeartbeatInterval = options.Heartbeat,
                TombstoneMargin = options.TombstoneMargin,
                PurgeInterval = options.TombstonePurgeInterval,
            }
            : null;
        Coordinator = mm;
        // Sources without a slot (a sync with only fullcopy targets) have no stream.
        Pipelines = [.. Sync.Sources.Where(s => s.SlotName is not null).Select(s => new SourcePipeline(Sync, s.Node, nodes, control, options.Apply, loggers, mm))];
        var hosts = Pipelines.Select(p => new PipelineHost(p)).ToList();
        using var jobsCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Each side job runs supervised: a failure is logged and recorded, and that job alone starts again.
        var parts = new List<SupervisedJob>
        {
            new(Sync.Name, "kick runner", new KickRunner(Sync, nodes, hosts, control, _log).RunAsync, control, _log),
            new(Sync.Name, "retention guard", new RetentionGuard(Sync, nodes, hosts, control, _log).RunAsync, control, _log),
        };
        if (mm is not null)
            parts.Add(new(Sync.Name, "multi-master coordinator", mm.RunAsync, control, _log));
        var jobs = parts.Select(p => p.RunAsync(jobsCts.Token)).ToList();
        if (!Sync.Options.KickMode)
            foreach (var host in hosts)
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await jobsCts.CancelAsync().ConfigureAwait(false);
            foreach (var host in hosts)
                await host.StopAsync().ConfigureAwait(false);
            foreach (var job in jobs)
            {
                try
                {
                    await job.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }
}
