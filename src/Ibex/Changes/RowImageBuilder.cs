namespace Ibex.Changes;

/// <summary>Collects column values into one buffer and builds a <see cref="RowImage"/>.</summary>
public sealed class RowImageBuilder
{
    byte[] _data;
    int _used;
    readonly int[] _offsets;
    readonly int[] _lengths;
    int _count;

    public RowImageBuilder(int columns, int expectedBytes = 64)
        : this(columns, new byte[Math.Max(expectedBytes, 16)])
    {
    }

    /// <summary>Builds into <paramref name="scratch"/> (reused across rows by the caller); <see cref="Build"/> copies out exactly what was used.</summary>
    public RowImageBuilder(int columns, byte[] scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        _offsets = new int[columns];
        _lengths = new int[columns];
        _data = scratch;
    }

    /// <summary>The buffer written into (grown when needed): hand it to the next builder to reuse it.</summary>
    public byte[] Scratch => _data;

    public void AddNull() => _lengths[_count++] = RowImage.Null;

    public void AddUnchangedToast() => _lengths[_count++] = RowImage.UnchangedToast;

    /// <summary>Reserves room for a value of <paramref name="length"/> bytes and returns where to write it.</summary>
    public Memory<byte> Reserve(int length)
    {
        Ensure(length);
        _offsets[_count] = _used;
        _lengths[_count] = length;
        var mem = _data.AsMemory(_used, length);
        _used += length;
        _count++;
        return mem;
    }

    public void AddBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length).Span);

    public RowImage Build()
    {
        if (_count != _lengths.Length)
            throw new InvalidOperationException($"row has {_count} of {_lengths.Length} columns");
        return new RowImage(_data.AsSpan(0, _used).ToArray(), _offsets, _lengths);
    }

    void Ensure(int extra)
    {
        if (_used + extra <= _data.Length)
            return;
        var size = Math.Max(_data.Length * 2, _used + extra);
        Array.Resize(ref _data, size);
    }
}
