using Ibex.Control;

namespace Ibex.Copy;

/// <summary>Bytes of one table copied by ranges: finished ranges per target (this run and earlier ones) plus ranges in flight.</summary>
sealed class RangeBytesCounter
{
    readonly Dictionary<string, long> _done;
    readonly Dictionary<int, long> _running = [];
    readonly Lock _lock = new();

    public RangeBytesCounter(IEnumerable<string> targets, IEnumerable<CopyRangeStore.Row> done)
    {
        _done = targets.ToDictionary(t => t, _ => 0L);
        foreach (var r in done)
            _done[r.Target] += r.Bytes;
    }

    /// <summary>Notes a range's bytes so far; returns the table's bytes (for the target ahead).</summary>
    public long Running(int range, long bytes)
    {
        lock (_lock)
        {
            _running[range] = bytes;
            return _done.Values.DefaultIfEmpty(0).Max() + _running.Values.Sum();
        }
    }

    public void Finish(string target, int range, long bytes)
    {
        lock (_lock)
        {
            _done[target] += bytes;
            _running.Remove(range);
        }
    }

    public long Of(string target)
    {
        lock (_lock)
            return _done[target];
    }
}
