namespace Ibex.Compare;

/// <summary>What a comparison cost: queries run and bytes of result data read from the nodes.</summary>
public sealed class CompareStats
{
    long _bytes;
    long _queries;

    /// <summary>Bytes of values read from the nodes (text as UTF-8, numbers as 8 bytes).</summary>
    public long BytesRead => Interlocked.Read(ref _bytes);

    /// <summary>Statements run on the nodes.</summary>
    public long Queries => Interlocked.Read(ref _queries);

    public void AddBytes(long n) => Interlocked.Add(ref _bytes, n);

    public void AddQueries(long n) => Interlocked.Add(ref _queries, n);
}
