using System.Diagnostics;
using System.Globalization;
using Ibex.Compare;

namespace Ibex.Cli;

/// <summary>
/// <c>ibex compare</c> on a terminal: one line, rewritten in place every second and at each table, naming the table
/// being compared and its place, the rows compared so far of those expected, and the time left. Erased before the
/// report is printed. Never used for --json or when the output is not a terminal.
/// </summary>
public sealed class CompareProgressLine : IDisposable
{
    /// <summary>Return to the start of the line and erase it.</summary>
    public const string Erase = "\r\u001b[K";

    readonly TextWriter _output;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Timer _timer;
    readonly Lock _lock = new();
    CompareProgress? _last;
    bool _closed;

    public CompareProgressLine(TextWriter output)
    {
        _output = output;
        _timer = new Timer(_ => Draw(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Report(CompareProgress progress)
    {
        lock (_lock)
            _last = progress;
        Draw();
    }

    public static string Text(CompareProgress p, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(p);
        var rows = p.RowsEstimated > p.RowsCompared
            ? $"{N(p.RowsCompared)} of ~{N(p.RowsEstimated)} rows compared"
            : $"{N(p.RowsCompared)} rows compared";
        var eta = p.Remaining(elapsed) is { } r ? ", ETA " + (r.TotalHours >= 1 ? r.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : r.ToString(@"m\:ss", CultureInfo.InvariantCulture)) : "";
        return $"{(p.Done ? "compared" : "comparing")} {p.Table.Display} ({p.Index}/{p.Count}) {p.Source} -> {p.Target}: {rows}{eta}";
    }

    static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    void Draw()
    {
        lock (_lock)
        {
            if (_closed || _last is null)
                return;
            _output.Write(Erase + Text(_last, _clock.Elapsed));
            _output.Flush();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
            if (_last is not null)
            {
                _output.Write(Erase);
                _output.Flush();
            }
        }
        _timer.Dispose();
    }
}
