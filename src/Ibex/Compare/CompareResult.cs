namespace Ibex.Compare;

/// <summary>Everything <c>ibex compare</c> found.</summary>
public sealed record CompareResult(
    string? Sync,
    string Reference,
    IReadOnlyList<string> Others,
    IReadOnlyList<TableComparison> Tables,
    IReadOnlyList<string> Notes,
    TimeSpan Elapsed,
    long BytesRead,
    long Queries)
{
    public bool Identical => Tables.All(t => t.Identical);

    public long RowsCompared => Tables.Sum(t => t.SourceRows);

    public long Count(DifferenceKind kind) => Tables.Sum(t => t.Count(kind));

    public long InFlight => Tables.Sum(t => t.InFlight.Sum(d => d.Count));
}
