using Ibex.Monitoring.Live;

namespace Ibex.Monitoring.Metrics;

/// <summary>Builds <c>/metrics</c>: every metric is named <c>ibex_…</c>, in base units (seconds, bytes), counters end in <c>_total</c>.</summary>
public static class MetricsPage
{
    public static async Task<string> BuildAsync(DaemonMonitor monitor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        var status = await monitor.StatusAsync(cancellationToken).ConfigureAwait(false);
        var w = new PrometheusWriter();

        w.Family("ibex_up", "gauge", "1 while the ibex daemon runs.").Sample("ibex_up", 1);
        w.Family("ibex_start_time_seconds", "gauge", "When the daemon started, in seconds since the Unix epoch.")
            .Sample("ibex_start_time_seconds", (monitor.Supervisor.StartedAt - DateTime.UnixEpoch).TotalSeconds);
        w.Family("ibex_control_database_up", "gauge", "1 when the last read of the control database worked.")
            .Sample("ibex_control_database_up", monitor.ControlUp ? 1 : 0);

        w.Family("ibex_sync_enabled", "gauge", "1 for an active sync, 0 for a paused one.");
        foreach (var s in status)
            w.Sample("ibex_sync_enabled", s.Enabled ? 1 : 0, ("sync", s.Name));

        var links = status.SelectMany(s => s.Links.Select(l => (Sync: s.Name, Link: l))).ToList();
        w.Family("ibex_link_streaming", "gauge", "1 when the link (source to target) is streaming.");
        foreach (var (sync, l) in links)
            w.Sample("ibex_link_streaming", l.State == "streaming" ? 1 : 0, Labels(sync, l.Source, l.Target));
        w.Family("ibex_link_state", "gauge", "The state of each link, as a label (value always 1).");
        foreach (var (sync, l) in links)
            w.Sample("ibex_link_state", 1, [.. Labels(sync, l.Source, l.Target), ("state", l.State)]);
        w.Family("ibex_link_lag_seconds", "gauge", "How far the target is behind the source, in seconds of commit time.");
        foreach (var (sync, l) in links.Where(x => x.Link.LagSeconds is not null))
            w.Sample("ibex_link_lag_seconds", l.LagSeconds!.Value, Labels(sync, l.Source, l.Target));
        w.Family("ibex_link_lag_bytes", "gauge", "How far the target is behind the source, in bytes of WAL.");
        foreach (var (sync, l) in links.Where(x => x.Link.LagBytes is not null))
            w.Sample("ibex_link_lag_bytes", l.LagBytes!.Value, Labels(sync, l.Source, l.Target));

        var totals = monitor.Counters.Links;
        w.Family("ibex_rows_applied_total", "counter", "Rows applied on the target by this daemon, by operation.");
        foreach (var t in totals)
        {
            foreach (var (op, n) in new[] { ("insert", t.Inserts), ("update", t.Updates), ("delete", t.Deletes), ("truncate", t.Truncates) })
                w.Sample("ibex_rows_applied_total", n, [.. Labels(t.Sync, t.Source, t.Target), ("operation", op)]);
        }
        w.Family("ibex_transactions_applied_total", "counter", "Source transactions applied on the target by this daemon.");
        foreach (var t in totals)
            w.Sample("ibex_transactions_applied_total", t.Transactions, Labels(t.Sync, t.Source, t.Target));
        w.Family("ibex_apply_failures_total", "counter", "Times applying on the link failed (target down or change rejected).");
        foreach (var t in totals)
            w.Sample("ibex_apply_failures_total", t.Failures, Labels(t.Sync, t.Source, t.Target));
        w.Family("ibex_pipeline_restarts_total", "counter", "Times a source pipeline restarted after a failure.");
        foreach (var p in monitor.Counters.Pipelines)
            w.Sample("ibex_pipeline_restarts_total", p.Restarts, ("sync", p.Sync), ("source", p.Source));
        w.Family("ibex_conflicts_total", "counter", "Conflicts logged in ibex.conflict, by kind.");
        foreach (var ((sync, kind), n) in monitor.Conflicts.Counts.OrderBy(c => c.Key))
            w.Sample("ibex_conflicts_total", n, ("sync", sync), ("kind", kind));

        var copies = links.Where(x => x.Link.Copy is not null).ToList();
        w.Family("ibex_copy_bytes_copied", "gauge", "Initial copy: bytes copied so far.");
        foreach (var (sync, l) in copies)
            w.Sample("ibex_copy_bytes_copied", l.Copy!.BytesCopied, Labels(sync, l.Source, l.Target));
        w.Family("ibex_copy_bytes_estimated", "gauge", "Initial copy: bytes expected in total (an estimate).");
        foreach (var (sync, l) in copies)
            w.Sample("ibex_copy_bytes_estimated", l.Copy!.BytesEstimated, Labels(sync, l.Source, l.Target));
        w.Family("ibex_copy_tables_done", "gauge", "Initial copy: tables done.");
        foreach (var (sync, l) in copies)
            w.Sample("ibex_copy_tables_done", l.Copy!.TablesDone, Labels(sync, l.Source, l.Target));
        w.Family("ibex_copy_tables", "gauge", "Initial copy: tables to copy.");
        foreach (var (sync, l) in copies)
            w.Sample("ibex_copy_tables", l.Copy!.TablesTotal, Labels(sync, l.Source, l.Target));

        var slots = monitor.Slots;
        w.Family("ibex_slot_retained_bytes", "gauge", "WAL the source keeps for the sync's slot (current WAL position minus confirmed position).");
        foreach (var s in slots.Where(s => s.RetainedBytes is not null))
            w.Sample("ibex_slot_retained_bytes", s.RetainedBytes!.Value, ("sync", s.Sync), ("source", s.Source), ("slot", s.Slot));
        w.Family("ibex_slot_active", "gauge", "1 when a daemon is reading the slot.");
        foreach (var s in slots.Where(s => s.Error is null))
            w.Sample("ibex_slot_active", s.Active ? 1 : 0, ("sync", s.Sync), ("source", s.Source), ("slot", s.Slot));
        return w.ToString();
    }

    static (string, string)[] Labels(string sync, string source, string target) => [("sync", sync), ("source", source), ("target", target)];
}
