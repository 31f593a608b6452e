using System.Globalization;

namespace Ibex.Monitoring;

/// <summary>
/// The arithmetic of copy progress, pure so it is tested without a copy: how much of an expected amount is done,
/// the rate since a start, and the time left at that rate.
/// </summary>
public static class CopyEstimate
{
    /// <summary>
    /// Percent done, from rows when the expected rows are known, else from bytes; null when neither is. Never 100
    /// before the copy is done (an estimate can be low), always 100 once it is.
    /// </summary>
    public static double? Percent(bool done, long rowsDone, long? rowsExpected, long bytesDone, long? bytesExpected)
    {
        if (done)
            return 100;
        double? fraction = rowsExpected is > 0 ? (double)rowsDone / rowsExpected.Value
            : bytesExpected is > 0 ? (double)bytesDone / bytesExpected.Value : null;
        return fraction is null ? null : Math.Round(Math.Min(99.9, 100 * fraction.Value), 1);
    }

    /// <summary>Amount per second over <paramref name="elapsed"/>; null before any time has passed.</summary>
    public static double? Rate(long amount, TimeSpan elapsed)
        => elapsed > TimeSpan.Zero ? amount / elapsed.TotalSeconds : null;

    /// <summary>Time left to reach <paramref name="expected"/> at <paramref name="perSecond"/>; null when it cannot be told.</summary>
    public static TimeSpan? Remaining(long done, long? expected, double? perSecond)
    {
        if (expected is not { } e || perSecond is not > 0)
            return null;
        // An estimate passed means "nearly done", not "done": the count is shown, the time left is not known.
        return e <= done ? null : TimeSpan.FromSeconds(Math.Ceiling((e - done) / perSecond.Value));
    }

    /// <summary>A time left as a person reads it: 42s, 3m05s, 2h07m.</summary>
    public static string Format(TimeSpan t)
        => t.TotalHours >= 1 ? FormattableString.Invariant($"{(int)t.TotalHours}h{t.Minutes:00}m")
            : t.TotalMinutes >= 1 ? FormattableString.Invariant($"{(int)t.TotalMinutes}m{t.Seconds:00}s") : FormattableString.Invariant($"{(int)Math.Ceiling(t.TotalSeconds)}s");

    /// <summary>A size as a person reads it: 512 B, 12.3 kB, 45.6 MB, 7.8 GB.</summary>
    public static string FormatBytes(long b) => b switch
    {
        < 1024 => FormattableString.Invariant($"{b} B"),
        < 1024 * 1024 => FormattableString.Invariant($"{b / 1024.0:0.0} kB"),
        < 1024L * 1024 * 1024 => FormattableString.Invariant($"{b / 1048576.0:0.0} MB"),
        _ => FormattableString.Invariant($"{b / 1073741824.0:0.0} GB"),
    };

    /// <summary>A count with thousands separators: 1,234,567.</summary>
    public static string N(double n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// "350,000 of ~1,000,000 rows (35.0%), 41.2 MB, 52,000 rows/s, ETA 12s": the one-line progress of a copy, as the
    /// daemon logs it and <c>ibex wait</c> prints it.
    /// </summary>
    public static string Text(long rows, long? rowsExpected, long bytes, double? percent, double? rowsPerSecond, TimeSpan? remaining)
        => $"{N(rows)}{(rowsExpected is > 0 ? $" of ~{N(rowsExpected.Value)}" : "")} rows"
            + (percent is { } p ? $" ({p.ToString("0.0", CultureInfo.InvariantCulture)}%)" : "") + $", {FormatBytes(bytes)}"
            + (rowsPerSecond is { } r ? $", {N(r)} rows/s" : "") + (remaining is { } e ? ", ETA " + Format(e) : "");
}
