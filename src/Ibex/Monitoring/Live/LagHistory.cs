namespace Ibex.Monitoring.Live;

/// <summary>The recent samples of every link, in fixed-size ring buffers (the dashboard's lag chart of the last hour).</summary>
public sealed class LagHistory(int capacity)
{
    readonly Dictionary<(string Sync, string Source, string Target), Ring> _links = [];

    public void Add(string sync, string source, string target, LagSample sample)
    {
        lock (_links)
        {
            if (!_links.TryGetValue((sync, source, target), out var ring))
                _links[(sync, source, target)] = ring = new Ring(capacity);
            ring.Add(sample);
        }
    }

    /// <summary>The samples of a link, oldest first.</summary>
    public IReadOnlyList<LagSample> Get(string sync, string source, string target)
    {
        lock (_links)
            return _links.TryGetValue((sync, source, target), out var ring) ? ring.ToList() : [];
    }

    sealed class Ring(int capacity)
    {
        readonly LagSample[] _items = new LagSample[Math.Max(2, capacity)];
        int _next;
        int _count;

        public void Add(LagSample s)
        {
            _items[_next] = s;
            _next = (_next + 1) % _items.Length;
            _count = Math.Min(_count + 1, _items.Length);
        }

        public List<LagSample> ToList()
        {
            var list = new List<LagSample>(_count);
            for (var i = 0; i < _count; i++)
                list.Add(_items[(_next - _count + i + _items.Length) % _items.Length]);
            return list;
        }
    }
}
