namespace Ibex.Copy;

/// <summary>
/// One range of a table's copy: rows with <c>lower ≤ x &lt; upper</c>, where x is the key (or the block number for
/// <see cref="RangeKind.Block"/>); a null bound is open. Bounds are kept as PostgreSQL's text form of the value.
/// </summary>
public sealed record CopyRange(int Number, string? Lower, string? Upper);
