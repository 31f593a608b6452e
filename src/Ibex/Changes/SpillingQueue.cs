namespace Ibex.Changes;

/// <summary>
/// The queue between a source reader and one target's applier. Items stay in memory up to a byte budget; past it,
/// new items go to a temporary file until the consumer has read the file to its end. A slow or large target
/// therefore never holds more than the budget in memory and never slows the other targets, and the producer only
/// waits when the file itself reaches its cap. A queue has exactly one producer (the task that reads the stream) and
/// one consumer; before the producer waits for room it hands every item to the consumer, so the room it waits for can
/// always be freed. <see cref="Close"/> turns the queue into a sink for a consumer that stopped for good. The memory
/// of all queues together is bounded too (<see cref="QueueMemory"/>).
/// </summary>
/// <remarks>
/// Slightly over the ~300 lines the data path aims for: the memory part and the spill file share one lock and one
/// count; the spill file is a nested type of its own.
/// </remarks>
public sealed class SpillingQueue : IAsyncDisposable
{
    readonly long _memoryBudget;
    readonly long _spillCap;
    readonly string _spillDirectory;
    readonly QueueMemory _shared;
    readonly object _lock = new();
    readonly Queue<StreamItem> _memory = new();
    readonly SemaphoreSlim _items = new(0);
    TaskCompletionSource _room = NewRoomSignal();
    readonly Dictionary<RelationInfo, int> _relationIds = new(ReferenceEqualityComparer.Instance);
    readonly List<RelationInfo> _relations = [];
    long _memoryBytes;
    SpillFile? _spill;
    bool _closed;

    public SpillingQueue(long memoryBudgetBytes, string? spillDirectory = null, long spillCapBytes = 8L << 30, QueueMemory? shared = null)
    {
        _memoryBudget = memoryBudgetBytes;
        _shared = shared ?? QueueMemory.Process;
        _spillCap = spillCapBytes;
        _spillDirectory = spillDirectory ?? Path.GetTempPath();
    }

    /// <summary>Items waiting (in memory and on disk).</summary>
    public long Count
    {
        get
        {
            lock (_lock)
                return _memory.Count + (_spill?.Pending ?? 0);
        }
    }

    public long MemoryBytes
    {
        get
        {
            lock (_lock)
                return _memoryBytes;
        }
    }

    /// <summary>Bytes written to the spill file since it was opened (0 when not spilling).</summary>
    public long SpilledBytes
    {
        get
        {
            lock (_lock)
                return _spill?.WrittenBytes ?? 0;
        }
    }

    /// <summary>Total items ever spilled (for tests and metrics).</summary>
    public long SpilledItemsTotal { get; private set; }

    public async ValueTask EnqueueAsync(StreamItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        while (true)
        {
            int publish;
            Task? room = null;
            lock (_lock)
            {
                if (_closed)
                    return;
                var size = item.ByteSize;
                var stored = false;
                if (_spill is null && (_memoryBytes + size <= _memoryBudget || _memory.Count == 0) && _shared.TryTake(size, _memory.Count == 0))
                {
                    _memory.Enqueue(item);
                    _memoryBytes += size;
                    stored = true;
                }
                else if (_spill is null || _spill.WrittenBytes < _spillCap)
                {
                    _spill ??= new SpillFile(_spillDirectory);
                    _spill.Write(item, RelationRef);
                    SpilledItemsTotal++;
                    stored = true;
                }
                if (stored)
                {
                    // The consumer is woken per transaction (and every so many items of a long one), not per item: a
                    // wake-up costs a thread switch, and the rest of a transaction follows its first change at once.
                    _unpublished++;
                    publish = item is CommitItem or MarkerItem || _unpublished >= PublishEvery ? _unpublished : 0;
                }
                else
                {
                    // Full: everything stored so far must reach the consumer, or the room waited for is never freed.
                    publish = _unpublished;
                    room = _room.Task;
                }
                if (publish > 0)
                    _unpublished = 0;
            }
            if (publish > 0)
                _items.Release(publish);
            if (room is null)
                return;
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Items of an unfinished transaction are handed to the consumer in groups of this many.</summary>
    public const int PublishEvery = 64;

    // Enqueued items the consumer has not been told about yet (under the lock).
    int _unpublished;

    /// <summary>Waits for the next item.</summary>
    public async ValueTask<StreamItem> DequeueAsync(CancellationToken cancellationToken)
    {
        await _items.WaitAsync(cancellationToken).ConfigureAwait(false);
        return TakeOne();
    }

    /// <summary>Takes the next item if one is ready now.</summary>
    public bool TryDequeue(out StreamItem? item)
    {
        if (!_items.Wait(0))
        {
            item = null;
            return false;
        }
        item = TakeOne();
        return true;
    }

    /// <summary>Drops everything queued (the pipeline restarts from the slot and will send it again).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            while (_items.Wait(0))
            {
            }
            _unpublished = 0;
            DropMemory();
            _spill?.Dispose();
            _spill = null;
            _relationIds.Clear();
            _relations.Clear();
            WakeProducer();
        }
    }

    /// <summary>
    /// The consumer stopped for good (its target failed): drops what is queued, and from now on every item enqueued
    /// is dropped at once, so the producer never waits on this queue again. The dropped items are read again from the
    /// slot when the pipeline restarts.
    /// </summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            while (_items.Wait(0))
            {
            }
            _unpublished = 0;
            DropMemory();
            _spill?.Dispose();
            _spill = null;
            WakeProducer();
        }
    }

    public bool IsClosed
    {
        get
        {
            lock (_lock)
                return _closed;
        }
    }

    StreamItem TakeOne()
    {
        lock (_lock)
        {
            if (_memory.Count > 0)
            {
                var item = _memory.Dequeue();
                _memoryBytes -= item.ByteSize;
                _shared.Release(item.ByteSize);
                return item;
            }
            var spill = _spill ?? throw new InvalidOperationException("queue signalled an item it does not hold");
            var fromDisk = spill.Read(id => _relations[id]);
            if (spill.Pending == 0)
            {
                spill.Dispose();
                _spill = null;
                WakeProducer();
            }
            return fromDisk;
        }
    }

    // What is held in memory goes, and its bytes back to the shared budget (under the lock).
    void DropMemory()
    {
        _memory.Clear();
        _shared.Release(_memoryBytes);
        _memoryBytes = 0;
    }

    // Wakes every producer waiting for room (there should be one; a missed wake-up would stall the source for good).
    void WakeProducer()
    {
        _room.TrySetResult();
        _room = NewRoomSignal();
    }

    static TaskCompletionSource NewRoomSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    int RelationRef(RelationInfo relation)
    {
        if (!_relationIds.TryGetValue(relation, out var id))
        {
            id = _relations.Count;
            _relations.Add(relation);
            _relationIds[relation] = id;
        }
        return id;
    }

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _closed = true;
            while (_items.Wait(0))
            {
            }
            DropMemory();
            _spill?.Dispose();
            _spill = null;
            WakeProducer();
        }
        // _items is not disposed: a producer that stored its item just before the queue closed may still release it
        // (a SemaphoreSlim whose wait handle was never asked for holds nothing that needs disposing).
        return ValueTask.CompletedTask;
    }

    sealed class SpillFile : IDisposable
    {
        readonly string _path;
        readonly FileStream _writeStream;
        readonly BinaryWriter _writer;
        readonly FileStream _readStream;
        readonly BinaryReader _reader;
        long _written;
        long _read;
        bool _dirty;

        public SpillFile(string directory)
        {
            _path = Path.Combine(directory, $"ibex-spill-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
            _writeStream = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.DeleteOnClose);
            _writer = new BinaryWriter(_writeStream);
            _readStream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
            _reader = new BinaryReader(_readStream);
        }

        public long Pending => _written - _read;

        public long WrittenBytes => _writeStream.Position;

        public void Write(StreamItem item, Func<RelationInfo, int> relationRef)
        {
            SpillCodec.Write(_writer, item, relationRef);
            _written++;
            _dirty = true;
        }

        public StreamItem Read(Func<int, RelationInfo> relation)
        {
            if (_dirty)
            {
                _writer.Flush();
                _dirty = false;
            }
            var item = SpillCodec.Read(_reader, relation);
            _read++;
            return item;
        }

        public void Dispose()
        {
            _reader.Dispose();
            _writer.Dispose();
            try
            {
                File.Delete(_path);
            }
            catch (IOException)
            {
            }
        }
    }
}
