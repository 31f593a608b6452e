using Ibex.Monitoring.Live;

namespace Ibex.Monitoring.Http;

/// <summary>The JSON documents of <c>/api/status</c> (the dashboard's data) and <c>/healthz</c>.</summary>
public static class StatusDocument
{
    /// <summary>True when every active sync streams.</summary>
    public static bool Healthy(IReadOnlyList<SyncStatus> status, bool controlUp)
    {
        ArgumentNullException.ThrowIfNull(status);
        return controlUp && status.Where(s => s.Enabled).All(s => s.State == "streaming");
    }

    public static object Health(IReadOnlyList<SyncStatus> status, bool controlUp) => new
    {
        Status = Healthy(status, controlUp) ? "ok" : "unhealthy",
        ControlDatabaseUp = controlUp,
        Syncs = status.Select(s => new
        {
            s.Name,
            s.Enabled,
            s.State,
            Links = s.Links.Select(l => new { l.Source, l.Target, l.State, l.Error }),
        }),
    };

    public static object Build(DaemonMonitor monitor, IReadOnlyList<SyncStatus> status)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(status);
        var now = DateTime.UtcNow;
        var slots = monitor.Slots;
        var conflicts = monitor.RecentConflicts;
        return new
        {
            GeneratedAt = now,
            Daemon = new
            {
                monitor.Supervisor.StartedAt,
                UptimeSeconds = Math.Round((now - monitor.Supervisor.StartedAt).TotalSeconds),
                ControlDatabaseUp = monitor.ControlUp,
                SampleSeconds = monitor.Options.SampleInterval.TotalSeconds,
            },
            Healthy = Healthy(status, monitor.ControlUp),
            Syncs = status.Select(s => new
            {
                s.Name,
                s.Enabled,
                s.State,
                s.Tables,
                Nodes = s.Sources.Select(n => new { Name = n, Role = "source" }).Concat(s.Targets.Select(n => new { Name = n, Role = "target" })),
                Links = s.Links.Select(l =>
                {
                    var history = monitor.History.Get(s.Name, l.Source, l.Target);
                    return new
                    {
                        l.Source,
                        l.Target,
                        l.State,
                        l.Error,
                        l.LagSeconds,
                        l.LagBytes,
                        l.RowsApplied,
                        l.Inserts,
                        l.Updates,
                        l.Deletes,
                        l.Transactions,
                        RowsPerSecond = Rate(history, l.RowsApplied, now),
                        LastCommit = l.LastCommitTimestamp,
                        l.Copy,
                        History = history.Select(h => new object?[] { (long)(h.At - DateTime.UnixEpoch).TotalMilliseconds, h.LagSeconds is { } x ? Math.Round(x, 3) : null }),
                    };
                }),
                Slots = slots.Where(x => x.Sync == s.Name).Select(x => new { x.Source, x.Slot, x.RetainedBytes, x.Active, x.Error }),
                RecentErrors = s.RecentErrors,
                RecentConflicts = conflicts.Where(c => c.Sync == s.Name),
            }),
        };
    }

    // Rows per second over roughly the last ten seconds of samples.
    static double? Rate(IReadOnlyList<LagSample> history, long rowsNow, DateTime now)
    {
        var past = history.LastOrDefault(h => (now - h.At).TotalSeconds >= 10);
        if (past == default)
            past = history.FirstOrDefault();
        if (past == default || (now - past.At).TotalSeconds < 0.5)
            return null;
        return Math.Round(Math.Max(0, rowsNow - past.RowsApplied) / (now - past.At).TotalSeconds, 1);
    }
}
