namespace Ibex.Changes;

/// <summary>
/// The memory all <see cref="SpillingQueue"/>s of a process may hold together; past it, a queue spills to its file even
/// when its own budget has room. Each queue's budget (<c>--queue-memory-mb</c>) is per target, but a daemon runs one
/// queue per link and one per tombstone recorder: a mesh of four nodes has sixteen, more than the managed heap the
/// daemon is given (<c>System.GC.HeapHardLimit</c>), and a 10-minute mesh run ran out of it (an
/// <see cref="OutOfMemoryException"/> in a queue, which stopped that source's pipeline).
/// </summary>
public sealed class QueueMemory(long limitBytes)
{
    long _used;

    /// <summary>
    /// For the whole process: a third of the managed heap the runtime may use (its hard limit when one is set), so the
    /// queues leave room for everything else the daemon holds while they are full.
    /// </summary>
    public static QueueMemory Process { get; } = new(Math.Max(16L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 3));

    public long LimitBytes => limitBytes;

    /// <summary>Bytes held by all queues sharing this budget.</summary>
    public long UsedBytes => Interlocked.Read(ref _used);

    /// <summary>Takes <paramref name="bytes"/> if they fit, or unconditionally with <paramref name="force"/> (a queue's only item).</summary>
    public bool TryTake(long bytes, bool force)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (!force && used + bytes > limitBytes)
                return false;
            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
                return true;
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
