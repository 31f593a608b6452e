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
                        // [time in ms, lag in seconds, rows per second since the sample before]
                        History = history.Select((h, i) => new object?[] { Millis(h.At), h.LagSeconds is { } x ? Math.Round(x, 3) : null, i == 0 ? null : Rate(history[i - 1], h) }),
                    };
                }),
                Slots = slots.Where(x => x.Sync == s.Name).Select(x => new { x.Source, x.Slot, x.RetainedBytes, x.Active, x.Error }),
                RecentErrors = s.RecentErrors,
                RecentConflicts = conflicts.Where(c => c.Sync == s.Name),
                ConflictHistory = ConflictSeries(monitor.ConflictHistory.Get(s.Name)),
            }),
        };
    }

    static long Millis(DateTime at) => (long)(at - DateTime.UnixEpoch).TotalMilliseconds;

    static double? Rate(LagSample before, LagSample after)
    {
        var seconds = (after.At - before.At).TotalSeconds;
        // Counters start over when a link restarts: a drop is counted from zero.
        var rows = after.RowsApplied >= before.RowsApplied ? after.RowsApplied - before.RowsApplied : after.RowsApplied;
        return seconds <= 0 ? null : Math.Round(rows / seconds, 1);
    }

    /// <summary>The kinds seen, and per sample [time in ms, new conflicts of each kind since the sample before].</summary>
    static object ConflictSeries(IReadOnlyList<ConflictSample> samples)
    {
        var kinds = samples.SelectMany(x => x.Counts.Where(c => c.Value > 0).Select(c => c.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var points = new List<object>();
        for (var i = 1; i < samples.Count; i++)
        {
            var (before, after) = (samples[i - 1], samples[i]);
            points.Add(new object[] { Millis(after.At) }.Concat(kinds.Select(k => (object)Math.Max(0, after.Counts.GetValueOrDefault(k) - before.Counts.GetValueOrDefault(k)))).ToArray());
        }
        return new { Kinds = kinds, Points = points };
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
