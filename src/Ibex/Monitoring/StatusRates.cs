namespace Ibex.Monitoring;

/// <summary>
/// Rates from successive readings of <see cref="StatusReader"/> (as <c>ibex top</c> takes them every second): rows per
/// second of each link, conflicts per minute of each sync, and the remaining time of an initial copy. Pure: readings
/// come with their time, so the rules are tested without waiting.
/// </summary>
public sealed class StatusRates
{
    /// <summary>Rows per second and copy speed are taken over about this much history.</summary>
    public static readonly TimeSpan ShortWindow = TimeSpan.FromSeconds(5);

    /// <summary>Conflicts per minute are counted over at most this much history.</summary>
    public static readonly TimeSpan LongWindow = TimeSpan.FromMinutes(1);

    readonly List<(DateTime At, IReadOnlyList<SyncStatus> Status)> _readings = [];

    public void Add(DateTime at, IReadOnlyList<SyncStatus> status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _readings.Add((at, status));
        // Keep one reading older than the long window, so a full minute is always covered once it has passed.
        while (_readings.Count > 2 && at - _readings[1].At >= LongWindow)
            _readings.RemoveAt(0);
    }

    /// <summary>Rows applied per second on the link over the last few seconds; null before two readings.</summary>
    public double? RowsPerSecond(string sync, string source, string target)
        => PerSecond(ShortWindow, sync, source, target, l => l.RowsApplied);

    /// <summary>Initial copy: bytes per second over the last few seconds.</summary>
    public double? CopyBytesPerSecond(string sync, string source, string target)
        => PerSecond(ShortWindow, sync, source, target, l => l.Copy?.BytesCopied ?? 0);

    /// <summary>Initial copy: the time left at the current speed, when it can be told.</summary>
    public TimeSpan? CopyRemaining(string sync, LinkStatus link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (link.Copy is not { } c || c.Done)
            return null;
        // Rows when the source's statistics tell how many to expect, else bytes against the tables' size.
        return c.RowsExpected is { } rows
            ? CopyEstimate.Remaining(c.RowsCopied, rows, PerSecond(ShortWindow, sync, link.Source, link.Target, l => l.Copy?.RowsCopied ?? 0))
            : CopyEstimate.Remaining(c.BytesCopied, c.BytesEstimated, CopyBytesPerSecond(sync, link.Source, link.Target));
    }

    /// <summary>Conflicts logged per minute for the sync over the last minute (or what has been seen of it).</summary>
    public double? ConflictsPerMinute(string sync)
    {
        if (_readings.Count < 2)
            return null;
        var (nowAt, now) = _readings[^1];
        var (pastAt, past) = Oldest(LongWindow);
        var minutes = (nowAt - pastAt).TotalMinutes;
        if (minutes <= 0)
            return null;
        var before = past.FirstOrDefault(s => s.Name == sync)?.ConflictsTotal;
        var after = now.FirstOrDefault(s => s.Name == sync)?.ConflictsTotal;
        // The conflict log is pruned: a total that went down counts as no new conflicts.
        return before is null || after is null ? null : Math.Max(0, after.Value - before.Value) / minutes;
    }

    double? PerSecond(TimeSpan window, string sync, string source, string target, Func<LinkStatus, long> value)
    {
        if (_readings.Count < 2)
            return null;
        var (nowAt, now) = _readings[^1];
        var (pastAt, past) = Oldest(window);
        var seconds = (nowAt - pastAt).TotalSeconds;
        var after = Find(now, sync, source, target);
        var before = Find(past, sync, source, target);
        if (seconds <= 0 || after is null || before is null)
            return null;
        // Counters start over when the daemon restarts a link: a drop means "since the restart".
        var delta = value(after) - value(before);
        return (delta < 0 ? value(after) : delta) / seconds;
    }

    (DateTime At, IReadOnlyList<SyncStatus> Status) Oldest(TimeSpan window)
    {
        var newest = _readings[^1].At;
        foreach (var r in _readings)
            if (newest - r.At <= window)
                return r == _readings[^1] ? _readings[^2] : r;
        return _readings[^2];
    }

    static LinkStatus? Find(IReadOnlyList<SyncStatus> status, string sync, string source, string target)
        => status.FirstOrDefault(s => s.Name == sync)?.Links.FirstOrDefault(l => l.Source == source && l.Target == target);
}
