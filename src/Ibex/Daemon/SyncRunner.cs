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

    /// <summary>How often a standby tries to take the sync's lock.</summary>
    static readonly TimeSpan StandbyPoll = TimeSpan.FromSeconds(3);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var standingBy = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var lease = await SyncLease.TryAcquireAsync(control, Sync.Name, cancellationToken).ConfigureAwait(false);
                _controlAway.Clear($"sync {Sync.Name}: the control database is back");
                if (lease is null)
                {
                    if (!standingBy)
                        _log.LogInformation("sync {Sync} is run by another ibex daemon; standing by", Sync.Name);
                    standingBy = true;
                    await Task.Delay(StandbyPoll, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                await using (lease.ConfigureAwait(false))
                {
                    if (standingBy)
                    {
                        // The daemon that held the sync may still be stopping: it does within SyncLease.DetectWithin.
                        _log.LogInformation("sync {Sync}: taking over from the daemon that ran it, in {Delay:0}s", Sync.Name, SyncLease.TakeoverDelay.TotalSeconds);
                        await Task.Delay(SyncLease.TakeoverDelay, cancellationToken).ConfigureAwait(false);
                    }
                    standingBy = await RunLeasedAsync(lease, cancellationToken).ConfigureAwait(false);
                }
                if (standingBy)
                    await Task.Delay(StandbyPoll * 2, cancellationToken).ConfigureAwait(false); // a standby, if any, takes it first
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
            }
        }
    }

    // Runs the sync while the lease holds; true when the lease was lost (another daemon may take over meanwhile).
    async Task<bool> RunLeasedAsync(SyncLease lease, CancellationToken cancellationToken)
    {
        Owned = true;
        using var owned = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = lease.WatchAsync(owned.Token);
        var run = RunOwnedAsync(owned.Token);
        var first = await Task.WhenAny(watch, run).ConfigureAwait(false);
        var lost = first == watch && watch.IsCompletedSuccessfully;
        if (lost)
            _log.LogWarning("sync {Sync}: lost its lock in the control database ({Reason}); stopping it so a standby daemon can take over", Sync.Name, await watch.ConfigureAwait(false));
        await owned.CancelAsync().ConfigureAwait(false);
        foreach (var task in new[] { run, watch })
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (owned.IsCancellationRequested)
            {
            }
        }
        if (!lost)
            return false;
        Owned = false;
        _log.LogWarning("sync {Sync}: stopped after losing its lock; it runs again here only once this daemon takes the lock back", Sync.Name);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await control.LogEventAsync(Sync.Name, null, "error", "the daemon running this sync lost its lock in the control database and stopped the sync; a standby daemon may take it over", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IbexException or NpgsqlException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _log.LogDebug("could not record the lost lock: {Error}", e.Message);
        }
        return true;
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
        var ddlLock = mm is not null && Sync.Ddl == DdlMode.Replicate ? new DdlLock(Sync, nodes, control, loggers.CreateLogger("Ibex.Ddl")) : null;
        var proof = Sync.Ddl == DdlMode.Replicate ? new SchemaProof(Sync, nodes, control, loggers.CreateLogger("Ibex.Ddl")) : null;
        Pipelines = [.. Sync.Sources.Where(s => s.SlotName is not null).Select(s => new SourcePipeline(Sync, s.Node, nodes, control, options.Apply, loggers, mm) { CopyOptions = options.Copy, DdlLock = ddlLock, SchemaProof = proof })];
        var hosts = Pipelines.Select(p => new PipelineHost(p)).ToList();
        // Not linked to the sync's token: the side jobs (the coordinator's conflict log among them) stop only after
        // the pipelines have (the finally below), so what an applier commits while stopping is still logged.
        using var jobsCts = new CancellationTokenSource();
        // Each side job runs supervised: a failure is logged and recorded, and that job alone starts again.
        var parts = new List<SupervisedJob>
        {
            new(Sync.Name, "kick runner", new KickRunner(Sync, nodes, hosts, control, _log).RunAsync, control, _log),
            new(Sync.Name, "retention guard", new RetentionGuard(Sync, nodes, hosts, control, _log).RunAsync, control, _log),
        };
        if (mm is not null)
            parts.Add(new(Sync.Name, "multi-master coordinator", mm.RunAsync, control, _log));
        if (ddlLock is not null)
            parts.Add(new(Sync.Name, "DDL lock", ddlLock.RunAsync, control, _log));
        if (proof is not null)
            parts.Add(new(Sync.Name, "schema proof", proof.RunAsync, control, _log));
        var jobs = parts.Select(p => p.RunAsync(jobsCts.Token)).ToList();
        try
        {
            if (!Sync.Options.KickMode)
                foreach (var host in hosts)
                    await host.StartAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Pipelines first, side jobs after: a transaction an applier commits while stopping still has its
            // conflicts written by the coordinator's log (stopped first, it lost them: ConflictKindTests missed an
            // entry when an abort paused the sync right after the transaction that logged it).
            foreach (var host in hosts)
                await host.StopAsync().ConfigureAwait(false);
            await jobsCts.CancelAsync().ConfigureAwait(false);
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
