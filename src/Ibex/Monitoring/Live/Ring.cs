namespace Ibex.Monitoring.Live;

/// <summary>A fixed-size ring buffer: the last <c>capacity</c> items, oldest first. Not thread-safe (callers lock).</summary>
public sealed class Ring<T>(int capacity)
{
    readonly T[] _items = new T[Math.Max(2, capacity)];
    int _next;
    int _count;

    public void Add(T item)
    {
        _items[_next] = item;
        _next = (_next + 1) % _items.Length;
        _count = Math.Min(_count + 1, _items.Length);
    }

    public List<T> ToList()
    {
        var list = new List<T>(_count);
        for (var i = 0; i < _count; i++)
            list.Add(_items[(_next - _count + i + _items.Length) % _items.Length]);
        return list;
    }
}
