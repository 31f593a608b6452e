using Ibex.Control;

namespace Ibex.Copy;

/// <summary>Bytes and rows of one table copied by ranges: finished ranges per target (this run and earlier ones; rows of ranges finished before a restart are not known) plus ranges in flight.</summary>
sealed class RangeBytesCounter
{
    readonly Dictionary<string, CopyCount> _done;
    readonly Dictionary<int, CopyCount> _running = [];
    readonly Lock _lock = new();

    public RangeBytesCounter(IEnumerable<string> targets, IEnumerable<CopyRangeStore.Row> done)
    {
        _done = targets.ToDictionary(t => t, _ => default(CopyCount));
        foreach (var r in done)
            _done[r.Target] = Plus(_done[r.Target], new CopyCount(r.Bytes, 0)); // rows of ranges done before a restart are not known
    }

    static CopyCount Plus(CopyCount a, CopyCount b) => new(a.Bytes + b.Bytes, a.Rows + b.Rows);

    /// <summary>Notes a range's count so far; returns the table's (for the target ahead).</summary>
    public CopyCount Running(int range, CopyCount count)
    {
        lock (_lock)
        {
            _running[range] = count;
            var done = _done.Values.DefaultIfEmpty(default).MaxBy(c => c.Bytes);
            return _running.Values.Aggregate(done, Plus);
        }
    }

    public void Finish(string target, int range, CopyCount count)
    {
        lock (_lock)
        {
            _done[target] = Plus(_done[target], count);
            _running.Remove(range);
        }
    }

    public CopyCount Of(string target)
    {
        lock (_lock)
            return _done[target];
    }
}
