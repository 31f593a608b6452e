namespace Ibex.Copy;

/// <summary>How initial copies run (<c>ibex run --copy-jobs</c>, <c>--copy-range-mb</c>).</summary>
public sealed record CopyOptions
{
    public const long DefaultRangeBytes = 256L << 20;

    /// <summary>The smallest range <see cref="RangeBytesFor"/> gives (a smaller <see cref="RangeBytes"/> wins).</summary>
    public const long MinRangeBytes = 16L << 20;

    /// <summary>Ranges per job over a whole copy, at most (see <see cref="RangeBytesFor"/>).</summary>
    public const int RangesPerJob = 8;

    /// <summary>Streams at once per source (tables, and ranges of large tables).</summary>
    public int Jobs { get; init; } = 4;

    /// <summary>Tables larger than this are split into ranges of at most this size.</summary>
    public long RangeBytes { get; init; } = DefaultRangeBytes;

    /// <summary>
    /// The range size for a copy of <paramref name="copyBytes"/> in all (every table of one source): at most
    /// <see cref="RangeBytes"/>, and small enough for about <see cref="RangesPerJob"/> ranges per job over the whole copy,
    /// so that a copy interrupted by a crash loses, on average, half a range per job (about a sixteenth of the copy)
    /// instead of up to <see cref="RangeBytes"/> per job; never under <see cref="MinRangeBytes"/> (each range costs a
    /// session on each side). Which tables are split does not change: those larger than <see cref="RangeBytes"/>.
    /// </summary>
    public long RangeBytesFor(long copyBytes)
    {
        var ranges = (long)RangesPerJob * Math.Max(1, Jobs);
        var even = (Math.Max(0, copyBytes) + ranges - 1) / ranges;
        return Math.Min(RangeBytes, Math.Max(Math.Min(MinRangeBytes, RangeBytes), even));
    }
}
