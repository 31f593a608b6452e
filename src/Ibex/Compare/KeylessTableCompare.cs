namespace Ibex.Compare;

/// <summary>
/// Compares a table without a key (REPLICA IDENTITY FULL) by whole rows: rows are bucketed by the first hex digits of
/// their hash, the buckets' summaries are compared, and for the buckets that differ the occurrences of each row hash
/// are counted on both sides. A row is identified by its hash; duplicates count.
/// </summary>
public sealed class KeylessTableCompare(TableSide source, TableSide target) : TableCompare(source, target)
{
    const int Prefix = 3;
    const int WholeHash = 32;

    public override async Task<IReadOnlyList<RowDifference>> FindAsync(CancellationToken cancellationToken)
    {
        var (s0, t0) = await BothAsync(side => side.HashAsync([KeyRange.All], cancellationToken)).ConfigureAwait(false);
        SourceRows = s0[0].Count;
        TargetRows = t0[0].Count;
        if (s0[0] == t0[0])
            return [];
        var (sb, tb) = await BothAsync(side => side.BucketsAsync(Prefix, cancellationToken)).ConfigureAwait(false);
        var differing = sb.Keys.Union(tb.Keys)
            .Where(p => !sb.TryGetValue(p, out var a) || !tb.TryGetValue(p, out var b) || a != b)
            .Order(StringComparer.Ordinal).ToList();
        var (sc, tc) = await BothAsync(side => side.HashCountsAsync(differing, Prefix, cancellationToken)).ConfigureAwait(false);
        return Classify(sc, tc, sc.Keys.Union(tc.Keys));
    }

    public override async Task<(IReadOnlyList<RowDifference> Still, IReadOnlyList<RowDifference> Settled)> RecheckAsync(IReadOnlyList<RowDifference> found, int valueLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(found);
        var hashes = found.Select(d => d.Key.Values[0]).ToList();
        var (sc, tc) = await BothAsync(side => side.HashCountsAsync(hashes, WholeHash, cancellationToken)).ConfigureAwait(false);
        var now = Classify(sc, tc, hashes).ToDictionary(d => d.Key);
        var settled = found.Where(d => !now.ContainsKey(d.Key)).ToList();
        var still = now.Values.ToList();
        var detail = still.Take(Math.Max(0, valueLimit)).ToList();
        var (sv, tv) = await BothAsync(side => side.RowsByHashAsync(
            [.. detail.Where(d => d.Kind == DifferenceKind.MissingOnTarget == (side == Source)).Select(d => d.Key.Values[0])], cancellationToken)).ConfigureAwait(false);
        still = [.. still.Select(d => d with
        {
            SourceRow = sv.GetValueOrDefault(d.Key.Values[0]),
            TargetRow = tv.GetValueOrDefault(d.Key.Values[0]),
        })];
        return (still, settled);
    }

    static List<RowDifference> Classify(Dictionary<string, long> source, Dictionary<string, long> target, IEnumerable<string> hashes)
    {
        var result = new List<RowDifference>();
        foreach (var h in hashes.Distinct().Order(StringComparer.Ordinal))
        {
            var diff = source.GetValueOrDefault(h) - target.GetValueOrDefault(h);
            if (diff > 0)
                result.Add(new RowDifference(DifferenceKind.MissingOnTarget, new RowKey([h])) { Count = diff });
            else if (diff < 0)
                result.Add(new RowDifference(DifferenceKind.ExtraOnTarget, new RowKey([h])) { Count = -diff });
        }
        return result;
    }
}
