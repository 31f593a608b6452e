using System.Diagnostics.Metrics;
using Ibex.Conflicts;
using Ibex.Monitoring.Live;

namespace Ibex.Monitoring.Metrics;

/// <summary>
/// The daemon's metrics as <see cref="System.Diagnostics.Metrics"/> instruments on a <see cref="Meter"/> named
/// <c>Ibex</c>: observable gauges and counters whose callbacks read what the <see cref="DaemonMonitor"/> last sampled
/// (never the data path). Names are the Prometheus names (<c>ibex_…</c>, base units, counters ending in <c>_total</c>);
/// counters come from <see cref="MonotonicCounters"/>, so they never go down while the daemon runs. Each daemon has its
/// own meter instance; <see cref="DaemonTelemetry"/> exports only this one.
/// </summary>
public sealed class DaemonInstruments : IDisposable
{
    public const string MeterName = "Ibex";

    public DaemonInstruments(DaemonMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        Meter = new Meter(MeterName, typeof(DaemonInstruments).Assembly.GetName().Version?.ToString());
        var m = Meter;
        m.CreateObservableGauge("ibex_up", () => 1, description: "1 while the ibex daemon runs.");
        m.CreateObservableGauge("ibex_start_time_seconds", () => (monitor.Supervisor.StartedAt - DateTime.UnixEpoch).TotalSeconds,
            description: "When the daemon started, in seconds since the Unix epoch.");
        m.CreateObservableGauge("ibex_control_database_up", () => monitor.ControlUp ? 1 : 0, description: "1 when the last read of the control database worked.");
        m.CreateObservableGauge("ibex_sync_enabled", () => monitor.LastStatus.Select(s => new Measurement<int>(s.Enabled ? 1 : 0, Tag("sync", s.Name))),
            description: "1 for an active sync, 0 for a paused one.");

        m.CreateObservableGauge("ibex_link_streaming", () => Links(monitor).Select(x => new Measurement<int>(x.Link.State == "streaming" ? 1 : 0, LinkTags(x.Sync, x.Link.Source, x.Link.Target))),
            description: "1 when the link (source to target) is streaming.");
        m.CreateObservableGauge("ibex_link_state", () => Links(monitor).Select(x => new Measurement<int>(1, [.. LinkTags(x.Sync, x.Link.Source, x.Link.Target), Tag("state", x.Link.State)])),
            description: "The state of each link, as a label (value always 1).");
        m.CreateObservableGauge("ibex_link_lag_seconds", () => Links(monitor).Where(x => x.Link.LagSeconds is not null)
                .Select(x => new Measurement<double>(x.Link.LagSeconds!.Value, LinkTags(x.Sync, x.Link.Source, x.Link.Target))),
            description: "How far the target is behind the source, in seconds of commit time.");
        m.CreateObservableGauge("ibex_link_lag_bytes", () => Links(monitor).Where(x => x.Link.LagBytes is not null)
                .Select(x => new Measurement<long>(x.Link.LagBytes!.Value, LinkTags(x.Sync, x.Link.Source, x.Link.Target))),
            description: "How far the target is behind the source, in bytes of WAL.");

        m.CreateObservableCounter("ibex_rows_applied_total", () => monitor.Counters.Links.SelectMany(t => new[]
            {
                new Measurement<long>(t.Inserts, [.. LinkTags(t.Sync, t.Source, t.Target), Tag("operation", "insert")]),
                new Measurement<long>(t.Updates, [.. LinkTags(t.Sync, t.Source, t.Target), Tag("operation", "update")]),
                new Measurement<long>(t.Deletes, [.. LinkTags(t.Sync, t.Source, t.Target), Tag("operation", "delete")]),
                new Measurement<long>(t.Truncates, [.. LinkTags(t.Sync, t.Source, t.Target), Tag("operation", "truncate")]),
            }),
            description: "Rows applied on the target by this daemon, by operation.");
        m.CreateObservableCounter("ibex_transactions_applied_total", () => monitor.Counters.Links.Select(t => new Measurement<long>(t.Transactions, LinkTags(t.Sync, t.Source, t.Target))),
            description: "Source transactions applied on the target by this daemon.");
        m.CreateObservableCounter("ibex_apply_failures_total", () => monitor.Counters.Links.Select(t => new Measurement<long>(t.Failures, LinkTags(t.Sync, t.Source, t.Target))),
            description: "Times applying on the link failed (target down or change rejected).");
        m.CreateObservableCounter("ibex_pipeline_restarts_total", () => monitor.Counters.Pipelines.Select(p => new Measurement<long>(p.Restarts, Tag("sync", p.Sync), Tag("source", p.Source))),
            description: "Times a source pipeline restarted after a failure.");
        m.CreateObservableCounter("ibex_conflicts_total", () => Conflicts(monitor),
            description: "Conflicts logged in ibex.conflict, by kind (every kind of every sync, 0 until one happens).");

        m.CreateObservableGauge("ibex_copy_bytes_copied", () => Copies(monitor, c => c.BytesCopied), description: "Initial copy: bytes copied so far.");
        m.CreateObservableGauge("ibex_copy_bytes_estimated", () => Copies(monitor, c => c.BytesEstimated), description: "Initial copy: bytes expected in total (an estimate).");
        m.CreateObservableGauge("ibex_copy_tables_done", () => Copies(monitor, c => c.TablesDone), description: "Initial copy: tables done.");
        m.CreateObservableGauge("ibex_copy_tables", () => Copies(monitor, c => c.TablesTotal), description: "Initial copy: tables to copy.");
        m.CreateObservableGauge("ibex_copy_rows_done", () => TableCopies(monitor, t => t.RowsCopied), description: "Initial copy of a table: rows copied so far.");
        m.CreateObservableGauge("ibex_copy_bytes_done", () => TableCopies(monitor, t => t.BytesCopied), description: "Initial copy of a table: bytes of COPY data moved so far.");
        m.CreateObservableGauge("ibex_copy_rows_expected", () => TableCopies(monitor, t => t.Done ? t.RowsCopied : t.RowsExpected),
            description: "Initial copy of a table: rows expected (the source's statistics; absent when never analyzed).");
        m.CreateObservableGauge("ibex_copy_bytes_expected", () => TableCopies(monitor, t => t.BytesExpected), description: "Initial copy of a table: the source table's size on disk.");
        m.CreateObservableGauge("ibex_copy_eta_seconds", () => Links(monitor).Where(x => x.Link.Copy?.EtaSeconds is not null)
                .Select(x => new Measurement<double>(x.Link.Copy!.EtaSeconds!.Value, LinkTags(x.Sync, x.Link.Source, x.Link.Target))),
            description: "Initial copy: seconds left at the current rate (absent when it cannot be told).");

        m.CreateObservableGauge("ibex_slot_retained_bytes", () => monitor.Slots.Where(s => s.RetainedBytes is not null)
                .Select(s => new Measurement<long>(s.RetainedBytes!.Value, Tag("sync", s.Sync), Tag("source", s.Source), Tag("slot", s.Slot))),
            description: "WAL the source keeps for the sync's slot (current WAL position minus confirmed position).");
        m.CreateObservableGauge("ibex_slot_active", () => monitor.Slots.Where(s => s.Error is null)
                .Select(s => new Measurement<int>(s.Active ? 1 : 0, Tag("sync", s.Sync), Tag("source", s.Source), Tag("slot", s.Slot))),
            description: "1 when a daemon is reading the slot.");
    }

    public Meter Meter { get; }

    static IEnumerable<(string Sync, LinkStatus Link)> Links(DaemonMonitor monitor)
        => monitor.LastStatus.SelectMany(s => s.Links.Select(l => (s.Name, l)));

    static IEnumerable<Measurement<long>> Copies(DaemonMonitor monitor, Func<CopyProgress, long> value)
        => Links(monitor).Where(x => x.Link.Copy is not null).Select(x => new Measurement<long>(value(x.Link.Copy!), LinkTags(x.Sync, x.Link.Source, x.Link.Target)));

    static IEnumerable<Measurement<long>> TableCopies(DaemonMonitor monitor, Func<TableCopyProgress, long?> value)
        => Links(monitor).Where(x => x.Link.Copy is not null).SelectMany(x => x.Link.Copy!.Tables
            .Where(t => value(t) is not null)
            .Select(t => new Measurement<long>(value(t)!.Value, [.. LinkTags(x.Sync, x.Link.Source, x.Link.Target), Tag("table", new Sql.QualifiedName(t.Schema, t.Table).Display)])));

    static IEnumerable<Measurement<long>> Conflicts(DaemonMonitor monitor)
    {
        var counts = monitor.Conflicts.Counts;
        var syncs = monitor.LastStatus.Select(s => s.Name).Concat(counts.Keys.Select(k => k.Sync)).Distinct(StringComparer.Ordinal);
        var kinds = Enum.GetValues<ConflictKind>().Select(k => k.Name()).Concat(counts.Keys.Select(k => k.Kind)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var sync in syncs)
            foreach (var kind in kinds)
                yield return new Measurement<long>(counts.GetValueOrDefault((sync, kind)), Tag("sync", sync), Tag("kind", kind));
    }

    static KeyValuePair<string, object?>[] LinkTags(string sync, string source, string target) => [Tag("sync", sync), Tag("source", source), Tag("target", target)];

    static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    public void Dispose() => Meter.Dispose();
}
