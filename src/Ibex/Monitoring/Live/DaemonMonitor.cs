using Ibex.Control;
using Ibex.Daemon;
using Ibex.Monitoring.Metrics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Monitoring.Live;

/// <summary>
/// What the daemon knows about itself for <c>/metrics</c>, <c>/healthz</c> and the dashboard: a sampling loop keeps
/// per-link lag history, slot usage, conflict counts and the monotonic counters up to date; <see cref="StatusAsync"/>
/// reads the current link status from the control database on demand.
/// </summary>
public sealed class DaemonMonitor(ControlDatabase control, Supervisor supervisor, MonitorOptions options, ILogger logger)
{
    volatile IReadOnlyList<SlotUsage> _slots = [];
    volatile IReadOnlyList<RecentConflict> _conflicts = [];
    volatile IReadOnlyList<SyncStatus> _lastStatus = [];

    public Supervisor Supervisor { get; } = supervisor;

    public MonitorOptions Options { get; } = options;

    public MonotonicCounters Counters { get; } = new();

    public ConflictCounter Conflicts { get; } = new();

    public LagHistory History { get; } = new(options.HistorySamples);

    public ConflictHistory ConflictHistory { get; } = new(options.HistorySamples);

    public IReadOnlyList<SlotUsage> Slots => _slots;

    public IReadOnlyList<RecentConflict> RecentConflicts => _conflicts;

    /// <summary>The status of the last reading (what the metrics' callbacks report).</summary>
    public IReadOnlyList<SyncStatus> LastStatus => _lastStatus;

    /// <summary>Whether the last read of the control database worked.</summary>
    public bool ControlUp { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IbexException or NpgsqlException or TimeoutException or IOException)
            {
                logger.LogDebug("monitoring sample failed: {Error}", e.Message);
            }
            try
            {
                await Task.Delay(Options.SampleInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Current status of every sync, from the control database; the last known one when it cannot be read.</summary>
    public async Task<IReadOnlyList<SyncStatus>> StatusAsync(CancellationToken cancellationToken)
    {
        Counters.Observe(Supervisor.Runners);
        try
        {
            var status = await new StatusReader(control).ReadAsync(null, cancellationToken).ConfigureAwait(false);
            _lastStatus = status;
            ControlUp = true;
            return status;
        }
        catch (Exception e) when (e is IbexException or NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            ControlUp = false;
            logger.LogDebug("status not readable: {Error}", e.Message);
            return _lastStatus;
        }
    }

    async Task SampleAsync(CancellationToken cancellationToken)
    {
        var status = await StatusAsync(cancellationToken).ConfigureAwait(false);
        if (!ControlUp)
            return;
        var now = DateTime.UtcNow;
        foreach (var s in status)
            foreach (var l in s.Links)
                History.Add(s.Name, l.Source, l.Target, new LagSample(now, s.Enabled ? l.LagSeconds : null, l.LagBytes, l.RowsApplied));
        await Conflicts.RefreshAsync(control, cancellationToken).ConfigureAwait(false);
        ConflictHistory.Add(now, status.Select(s => s.Name), Conflicts.Counts);
        _conflicts = await ReadConflictsAsync(cancellationToken).ConfigureAwait(false);
        var syncs = await new SyncStore(control).ListAsync(cancellationToken).ConfigureAwait(false);
        var nodes = await new NodeStore(control).ListAsync(cancellationToken).ConfigureAwait(false);
        _slots = await SlotUsageReader.ReadAsync(syncs, nodes, Options.NodeTimeout, cancellationToken).ConfigureAwait(false);
    }

    async Task<IReadOnlyList<RecentConflict>> ReadConflictsAsync(CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("""
            SELECT at, sync, schema_name, table_name, kind, node, winner, key::text
            FROM (SELECT *, row_number() OVER (PARTITION BY sync ORDER BY id DESC) AS rn FROM ibex.conflict WHERE at > now() - interval '1 hour') c
            WHERE rn <= 10 ORDER BY id DESC
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<RecentConflict>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new RecentConflict(r.GetDateTime(0), r.GetString(1), new Sql.QualifiedName(r.GetString(2), r.GetString(3)).Display, r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7)));
        return list;
    }
}
