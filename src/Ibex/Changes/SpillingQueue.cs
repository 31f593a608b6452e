namespace Ibex.Changes;

/// <summary>
/// The queue between a source reader and one target's applier. Items stay in memory up to a byte budget; past it,
/// new items go to a temporary file until the consumer has read the file to its end. A slow or large target
/// therefore never holds more than the budget in memory and never slows the other targets, and the producer only
/// waits when the file itself reaches its cap.
/// </summary>
public sealed class SpillingQueue : IAsyncDisposable
{
    readonly long _memoryBudget;
    readonly long _spillCap;
    readonly string _spillDirectory;
    readonly object _lock = new();
    readonly Queue<StreamItem> _memory = new();
    readonly SemaphoreSlim _items = new(0);
    readonly SemaphoreSlim _room = new(0);
    readonly Dictionary<RelationInfo, int> _relationIds = new(ReferenceEqualityComparer.Instance);
    readonly List<RelationInfo> _relations = [];
    long _memoryBytes;
    SpillFile? _spill;
    bool _waitingForRoom;

    public SpillingQueue(long memoryBudgetBytes, string? spillDirectory = null, long spillCapBytes = 8L << 30)
    {
        _memoryBudget = memoryBudgetBytes;
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
        int publish;
        while (true)
        {
            lock (_lock)
            {
                var size = item.ByteSize;
                var stored = false;
                if (_spill is null && (_memoryBytes + size <= _memoryBudget || _memory.Count == 0))
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
                    if (publish > 0)
                        _unpublished = 0;
                    break;
                }
                _waitingForRoom = true;
            }
            await _room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (publish > 0)
            _items.Release(publish);
    }

    /// <summary>Items of an unfinished transaction are handed to the consumer in groups of this many.</summary>
    public const int PublishEvery = 64;

    // Enqueued items the consumer has not been told about yet (under the lock: the status loop also enqueues markers).
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
            _memory.Clear();
            _memoryBytes = 0;
            _spill?.Dispose();
            _spill = null;
            _relationIds.Clear();
            _relations.Clear();
            WakeProducer();
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

    void WakeProducer()
    {
        if (_waitingForRoom)
        {
            _waitingForRoom = false;
            _room.Release();
        }
    }

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
            _spill?.Dispose();
            _spill = null;
        }
        _items.Dispose();
        _room.Dispose();
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
