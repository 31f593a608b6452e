using Ibex.Sql;

namespace Ibex.Copy;

/// <summary>A table's copy split into ranges that together hold every row exactly once.</summary>
/// <param name="Kind">How the ranges are bounded.</param>
/// <param name="KeyColumn">The key column the ranges bound (null for <see cref="RangeKind.Block"/>).</param>
/// <param name="Ranges">Ordered, adjacent, the first open below and the last open above.</param>
public sealed record RangePlan(RangeKind Kind, string? KeyColumn, IReadOnlyList<CopyRange> Ranges)
{
    /// <summary>A copy that resumes with the ranges not yet done: the stream can tell which range a change's row is in.</summary>
    public bool Resumable => Kind != RangeKind.Block;

    /// <summary>The SQL condition selecting one range's rows on the source (values inlined as quoted literals: COPY takes no parameters).</summary>
    public string Predicate(CopyRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var x = Kind == RangeKind.Block ? "ctid" : Ident.Quote(KeyColumn!);
        var parts = new List<string>(2);
        if (range.Lower is { } lower)
            parts.Add($"{x} >= {Literal(lower)}");
        if (range.Upper is { } upper)
            parts.Add($"{x} < {Literal(upper)}");
        return parts.Count == 0 ? "true" : string.Join(" AND ", parts);
    }

    // A block bound is a block number; as a tid it is that block's first tuple. Key bounds are literals of the key's
    // type, resolved against the column (an integer or a uuid).
    string Literal(string bound) => Kind == RangeKind.Block ? Ident.Literal($"({bound},0)") + "::tid" : Ident.Literal(bound);
}
