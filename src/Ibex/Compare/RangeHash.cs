namespace Ibex.Compare;

/// <summary>A summary of a set of rows on one node: the row count and the sum of 64-bit prefixes of each row's md5.</summary>
public readonly record struct RangeHash(long Count, string Sum);
