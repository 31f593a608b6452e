using System.Diagnostics;
using Ibex.Copy;
using Ibex.Monitoring;
using Ibex.Sql;
using Microsoft.Extensions.Logging;

namespace Ibex.Daemon;

/// <summary>
/// The daemon's log of a running copy: every <see cref="Interval"/>, per table and target, the rows copied of those
/// expected, the percent, the rate and the time left, so a long copy shows in the log that it moves and when it ends.
/// </summary>
public sealed class CopyProgressLog(ILogger log)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    readonly Dictionary<(QualifiedName Table, string Target), (long? Rows, long Bytes, Stopwatch Clock, TimeSpan LastLog)> _tables = [];
    readonly Lock _lock = new();

    public void Started(QualifiedName table, string target, long? rowsExpected, long bytesExpected)
    {
        lock (_lock)
            _tables[(table, target)] = (rowsExpected, bytesExpected, Stopwatch.StartNew(), TimeSpan.Zero);
    }

    public void Report(QualifiedName table, string target, CopyCount count)
    {
        (long? Rows, long Bytes, Stopwatch Clock, TimeSpan LastLog) t;
        lock (_lock)
        {
            if (!_tables.TryGetValue((table, target), out t) || t.Clock.Elapsed - t.LastLog < Interval)
                return;
            _tables[(table, target)] = t with { LastLog = t.Clock.Elapsed };
        }
        log.LogInformation("copying {Table} to '{Target}': {Progress}", table.Display, target, Text(count, t.Rows, t.Bytes, t.Clock.Elapsed));
    }

    public static string Text(CopyCount count, long? rowsExpected, long bytesExpected, TimeSpan elapsed)
    {
        var rate = CopyEstimate.Rate(count.Rows, elapsed);
        return CopyEstimate.Text(count.Rows, rowsExpected, count.Bytes, CopyEstimate.Percent(false, count.Rows, rowsExpected, count.Bytes, bytesExpected), rate,
            CopyEstimate.Remaining(count.Rows, rowsExpected, rate));
    }
}
