using Ibex.Daemon;

namespace Ibex.Monitoring.Metrics;

/// <summary>
/// Counters for metrics that only ever go up within one daemon process. The daemon's own counters live in objects that
/// are replaced when a sync restarts or is reconfigured (<see cref="LinkRuntime"/>, <see cref="SourcePipeline"/>);
/// this registry remembers, per sync/source/target, the last instance it saw. When a new instance appears, the old
/// one's final values are added to a carried base, so totals continue from where they were.
/// </summary>
public sealed class MonotonicCounters
{
    readonly object _lock = new();
    readonly Dictionary<(string Sync, string Source, string Target), Carried> _links = [];
    readonly Dictionary<(string Sync, string Source), Carried> _pipelines = [];

    /// <summary>Reads the live counters of every running pipeline and link.</summary>
    public void Observe(IEnumerable<SyncRunner> runners)
    {
        ArgumentNullException.ThrowIfNull(runners);
        lock (_lock)
        {
            foreach (var runner in runners)
            {
                foreach (var p in runner.Pipelines)
                {
                    var pipeline = p;
                    Observe(_pipelines, (runner.Sync.Name, pipeline.Source), pipeline, () => [pipeline.Restarts]);
                    foreach (var l in pipeline.Links)
                    {
                        var link = l;
                        Observe(_links, (runner.Sync.Name, link.Link.Source, link.Link.Target), link, () =>
                            [link.Counters.Inserts, link.Counters.Updates, link.Counters.Deletes, link.Counters.Truncates, link.Counters.Transactions, link.Failures]);
                    }
                }
            }
        }
    }

    public IReadOnlyList<LinkTotals> Links
    {
        get
        {
            lock (_lock)
                return [.. _links.OrderBy(l => l.Key).Select(l =>
                {
                    var v = l.Value.Total();
                    return new LinkTotals(l.Key.Sync, l.Key.Source, l.Key.Target, v[0], v[1], v[2], v[3], v[4], v[5]);
                })];
        }
    }

    public IReadOnlyList<PipelineTotals> Pipelines
    {
        get
        {
            lock (_lock)
                return [.. _pipelines.OrderBy(p => p.Key).Select(p => new PipelineTotals(p.Key.Sync, p.Key.Source, p.Value.Total()[0]))];
        }
    }

    static void Observe<TKey>(Dictionary<TKey, Carried> map, TKey key, object instance, Func<long[]> read) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var c))
        {
            map[key] = new Carried(instance, read);
            return;
        }
        if (ReferenceEquals(c.Instance, instance))
            return;
        // A new pipeline or link replaced the old one: what the old one counted becomes part of the base.
        var final = c.Read();
        for (var i = 0; i < final.Length; i++)
            c.Base[i] += final[i];
        c.Instance = instance;
        c.Read = read;
    }

    sealed class Carried(object instance, Func<long[]> read)
    {
        public object Instance { get; set; } = instance;

        public Func<long[]> Read { get; set; } = read;

        public long[] Base { get; } = new long[read().Length];

        long[]? _last;

        /// <summary>Base plus the current instance's values; never lower than what was returned before.</summary>
        public long[] Total()
        {
            var now = Read();
            var total = new long[now.Length];
            for (var i = 0; i < now.Length; i++)
                total[i] = Base[i] + now[i];
            if (_last is not null)
                for (var i = 0; i < total.Length; i++)
                    total[i] = Math.Max(total[i], _last[i]);
            _last = total;
            return total;
        }
    }
}
