using System.Diagnostics;
using Ibex.Capture;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Copy;
using Ibex.Setup;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// Runs a sync on demand (<c>ibex sync kick</c>) and on schedule (<c>--every</c>): a kick-mode sync drains its slots up to
/// the moment of the kick and stops; fullcopy targets are refreshed; owned sequences are copied. Each run reports rows
/// and duration on the kicks it served.
/// </summary>
public sealed class KickRunner(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes, IReadOnlyList<PipelineHost> hosts, ControlDatabase control, ILogger log)
{
    static readonly TimeSpan DrainLimit = TimeSpan.FromMinutes(30);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var options = sync.Options;
        var kicks = new KickStore(control);
        var every = options.EverySeconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
        var scheduled = every is not null && (options.KickMode || sync.FullcopyTargets.Any());
        var nextRun = DateTime.UtcNow + (every ?? TimeSpan.Zero);
        var nextSequences = DateTime.UtcNow;
        var trouble = new RepeatedWarning(log);
        await PublishIdleAsync(cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await kicks.ClaimAsync(sync.Name, cancellationToken).ConfigureAwait(false);
                if (claimed.Count > 0 || (scheduled && DateTime.UtcNow >= nextRun))
                {
                    await RunOnceAsync(kicks, claimed, cancellationToken).ConfigureAwait(false);
                    nextRun = DateTime.UtcNow + (every ?? TimeSpan.Zero);
                }
                if (options.Sequences && !options.KickMode && DateTime.UtcNow >= nextSequences)
                {
                    await SequenceSyncer.SyncAsync(sync, nodes, cancellationToken).ConfigureAwait(false);
                    nextSequences = DateTime.UtcNow + TimeSpan.FromSeconds(10);
                }
                trouble.Clear($"sync {sync.Name}: kicks and schedules work again");
            }
            catch (Exception e) when (e is IbexException or NpgsqlException && !cancellationToken.IsCancellationRequested)
            {
                // Checked twice a second: a control database that is away is said once, then once a minute.
                trouble.Report($"sync {sync.Name}: {(e is IbexException ? e.Message : Errors.Describe(e))}");
            }
            try
            {
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    async Task RunOnceAsync(KickStore kicks, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var rowsBefore = AppliedRows();
        long copied = 0;
        try
        {
            if (sync.Options.KickMode && hosts.Count > 0)
                await DrainAsync(cancellationToken).ConfigureAwait(false);
            var source = nodes[sync.Sources.First().Node];
            foreach (var target in sync.FullcopyTargets)
            {
                await PublishAsync(target.Node, "copying", null, 0, cancellationToken).ConfigureAwait(false);
                var rows = await new FullcopyRunner(source, nodes[target.Node], log).RunAsync(sync, cancellationToken).ConfigureAwait(false);
                copied += rows;
                await PublishAsync(target.Node, "idle", null, rows, cancellationToken).ConfigureAwait(false);
            }
            if (sync.Options.Sequences)
                await SequenceSyncer.SyncAsync(sync, nodes, cancellationToken).ConfigureAwait(false);
            var applied = AppliedRows() - rowsBefore + copied;
            var message = $"applied {applied} row(s) in {watch.Elapsed.TotalSeconds:0.00}s";
            log.LogInformation("sync {Sync}: run done: {Message}", sync.Name, message);
            await kicks.FinishAsync(ids, true, applied, message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IbexException or NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            var message = e is IbexException ? e.Message : Errors.Describe(e);
            log.LogWarning("sync {Sync}: run failed: {Error}", sync.Name, message);
            using var teardown = Teardown.Bounded();
            foreach (var target in sync.FullcopyTargets)
                await PublishAsync(target.Node, "error", message, 0, teardown.Token).ConfigureAwait(false);
            await control.LogEventAsync(sync.Name, null, "error", message, teardown.Token).ConfigureAwait(false);
            await kicks.FinishAsync(ids, false, AppliedRows() - rowsBefore + copied, message, teardown.Token).ConfigureAwait(false);
        }
        finally
        {
            if (sync.Options.KickMode)
            {
                foreach (var host in hosts)
                    await host.StopAsync().ConfigureAwait(false);
                using var teardown = Teardown.Bounded();
                await PublishIdleAsync(teardown.Token).ConfigureAwait(false);
            }
        }
    }

    // Everything committed on the sources before now: a marker in each source's stream, then the pipelines run until
    // every link has passed its source's marker.
    async Task DrainAsync(CancellationToken cancellationToken)
    {
        var goals = new Dictionary<string, NpgsqlLogSequenceNumber>();
        foreach (var host in hosts)
        {
            await using var conn = await NodeDataSources.OpenAsync(nodes[host.Pipeline.Source], cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand($"SELECT pg_logical_emit_message(true, '{SlotReader.MessagePrefix}', 'kick')", conn);
            goals[host.Pipeline.Source] = (NpgsqlLogSequenceNumber)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        foreach (var host in hosts)
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + DrainLimit;
        while (!hosts.All(h => h.Pipeline.Links.All(l => l.Position >= goals[h.Pipeline.Source])))
        {
            var stuck = hosts.SelectMany(h => h.Pipeline.Links).FirstOrDefault(l => l.DownSince is { } since && DateTime.UtcNow - since > TimeSpan.FromSeconds(30));
            if (stuck is not null)
                throw new IbexException($"target '{stuck.Link.Target}' could not take the changes: {stuck.Error}");
            if (DateTime.UtcNow > deadline)
                throw new IbexException($"the run did not finish within {DrainLimit.TotalMinutes:0} minutes");
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    long AppliedRows() => hosts.SelectMany(h => h.Pipeline.Links).Sum(l => l.Counters.Rows);

    async Task PublishIdleAsync(CancellationToken cancellationToken)
    {
        var links = new List<LinkSnapshot>();
        if (sync.Options.KickMode)
            links.AddRange(hosts.SelectMany(h => h.Pipeline.Links).Select(l => Snapshot(l.Link.Source, l.Link.Target, "idle", null, 0)));
        links.AddRange(sync.FullcopyTargets.Select(t => Snapshot(sync.Sources.First().Node, t.Node, "idle", null, 0)));
        await new StatusStore(control).PublishAsync(sync.Name, links, cancellationToken).ConfigureAwait(false);
    }

    Task PublishAsync(string target, string state, string? error, long rows, CancellationToken cancellationToken)
        => new StatusStore(control).PublishAsync(sync.Name, [Snapshot(sync.Sources.First().Node, target, state, error, rows)], cancellationToken);

    static LinkSnapshot Snapshot(string source, string target, string state, string? error, long rows)
        => new(source, target, state, error, default, null, rows > 0 ? DateTime.UtcNow : null, state == "idle" ? 0 : null, null, rows, 0, 0, 0, rows > 0 ? 1 : 0);
}
