namespace Ibex.Copy;

/// <summary>How initial copies run (<c>ibex run --copy-jobs</c>, <c>--copy-range-mb</c>).</summary>
public sealed record CopyOptions
{
    public const long DefaultRangeBytes = 256L << 20;

    /// <summary>Streams at once per source (tables, and ranges of large tables).</summary>
    public int Jobs { get; init; } = 4;

    /// <summary>Tables larger than this are split into ranges of about this size.</summary>
    public long RangeBytes { get; init; } = DefaultRangeBytes;
}
