using System.Diagnostics;
using Ibex.Monitoring;

namespace Ibex.Cli;

/// <summary>
/// <c>ibex wait</c> while an initial copy runs. On a terminal: one line rewritten in place, a bar with the percent, rows,
/// rate and ETA, erased when the copy ends. Otherwise: a plain line every <see cref="PlainInterval"/> (and one when the
/// copy is done), for logs.
/// </summary>
public sealed class WaitProgress(TextWriter output, bool terminal) : IDisposable
{
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    const int BarWidth = 24;

    readonly Stopwatch _clock = Stopwatch.StartNew();
    TimeSpan? _last;
    bool _drawn;
    bool _sawCopy;

    public void Report(SyncStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.Copy is not { } c)
            return;
        if (c.Done)
        {
            if (_sawCopy)
                Finish(c);
            return;
        }
        _sawCopy = true;
        if (terminal)
        {
            output.Write(CompareProgressLine.Erase + Line(c, BarWidth));
            output.Flush();
            _drawn = true;
        }
        else if (_last is null || _clock.Elapsed - _last >= PlainInterval)
        {
            output.WriteLine("copying " + Text(c, percent: true));
            _last = _clock.Elapsed;
        }
    }

    void Finish(CopyProgress c)
    {
        _sawCopy = false;
        Erase();
        output.WriteLine($"copy done: {c.TablesTotal} table(s), {CopyEstimate.N(c.RowsCopied)} rows, {CopyEstimate.FormatBytes(c.BytesCopied)}");
    }

    void Erase()
    {
        if (!_drawn)
            return;
        output.Write(CompareProgressLine.Erase);
        output.Flush();
        _drawn = false;
    }

    /// <summary>"[#########---------------]  35.0% 2/4 tables, 350,000 of ~1,000,000 rows, …, ETA 12s".</summary>
    public static string Line(CopyProgress c, int width)
    {
        ArgumentNullException.ThrowIfNull(c);
        return $"{Bar(c.Percent, width)} {(c.Percent is { } p ? p.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture).PadLeft(5) + "%" : "   ?%")} {Text(c, percent: false)}";
    }

    /// <summary>A bar of <paramref name="width"/> cells, filled in proportion (empty when the percent is unknown).</summary>
    public static string Bar(double? percent, int width)
    {
        var filled = percent is { } p ? (int)Math.Clamp(Math.Floor(p / 100 * width), 0, width) : 0;
        return "[" + new string('#', filled) + new string('-', width - filled) + "]";
    }

    static string Text(CopyProgress c, bool percent)
        => $"{c.TablesDone}/{c.TablesTotal} tables, " + CopyEstimate.Text(c.RowsCopied, c.RowsExpected, c.BytesCopied, percent ? c.Percent : null, c.RowsPerSecond,
            c.EtaSeconds is { } e ? TimeSpan.FromSeconds(e) : null);

    public void Dispose() => Erase();
}
