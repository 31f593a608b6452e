namespace Ibex.Monitoring.Live;

/// <summary>The recent samples of every link, in fixed-size ring buffers (the dashboard's lag and throughput charts of the last hour).</summary>
public sealed class LagHistory(int capacity)
{
    readonly Dictionary<(string Sync, string Source, string Target), Ring<LagSample>> _links = [];

    public void Add(string sync, string source, string target, LagSample sample)
    {
        lock (_links)
        {
            if (!_links.TryGetValue((sync, source, target), out var ring))
                _links[(sync, source, target)] = ring = new Ring<LagSample>(capacity);
            ring.Add(sample);
        }
    }

    /// <summary>The samples of a link, oldest first.</summary>
    public IReadOnlyList<LagSample> Get(string sync, string source, string target)
    {
        lock (_links)
            return _links.TryGetValue((sync, source, target), out var ring) ? ring.ToList() : [];
    }
}
