namespace Ibex.Compare;

/// <summary>
/// Compares a table with a key by bisection: the whole table's summary on each node, then for every range whose
/// summaries differ, split points sampled from the side holding more rows of it, and summaries of the sub-ranges, level
/// by level (all ranges of a level in one round trip per node), until a differing range is small enough to list its
/// keys and row hashes. Only then are rows themselves read, and only the differing ones.
/// </summary>
public sealed class KeyedTableCompare(TableSide source, TableSide target, int fanout, int leafRows) : TableCompare(source, target)
{
    const int MaxDepth = 64;

    public override async Task<IReadOnlyList<RowDifference>> FindAsync(CancellationToken cancellationToken)
    {
        var (s0, t0) = await BothAsync(side => side.HashAsync([KeyRange.All], cancellationToken)).ConfigureAwait(false);
        SourceRows = s0[0].Count;
        TargetRows = t0[0].Count;
        var level = new List<(KeyRange Range, RangeHash S, RangeHash T)> { (KeyRange.All, s0[0], t0[0]) };
        var sourceRows = new Dictionary<RowKey, string>();
        var targetRows = new Dictionary<RowKey, string>();
        for (var depth = 0; level.Count > 0; depth++)
        {
            var mismatched = level.Where(x => x.S != x.T).ToList();
            var leaves = new List<KeyRange>();
            var split = new List<(KeyRange Range, RangeHash S, RangeHash T)>();
            foreach (var x in mismatched)
            {
                if (Math.Max(x.S.Count, x.T.Count) <= leafRows || depth >= MaxDepth)
                    leaves.Add(x.Range);
                else
                    split.Add(x);
            }

            // Split points come from the side that has more rows in the range, so a range full of rows the other side lacks still splits.
            var fromSource = split.Where(x => x.S.Count >= x.T.Count).ToList();
            var fromTarget = split.Where(x => x.S.Count < x.T.Count).ToList();
            var boundsTask = BoundariesAsync(Source, fromSource.Select(x => (x.Range, x.S.Count)).ToList(), cancellationToken);
            var boundsTargetTask = BoundariesAsync(Target, fromTarget.Select(x => (x.Range, x.T.Count)).ToList(), cancellationToken);
            await Task.WhenAll(boundsTask, boundsTargetTask).ConfigureAwait(false);
            var children = new List<KeyRange>();
            foreach (var (x, bounds) in fromSource.Zip(await boundsTask.ConfigureAwait(false)).Concat(fromTarget.Zip(await boundsTargetTask.ConfigureAwait(false))))
            {
                if (bounds.Count == 0)
                    leaves.Add(x.Range);
                else
                    children.AddRange(Split(x.Range, bounds));
            }

            if (leaves.Count > 0)
            {
                var (s, t) = await BothAsync(side => side.KeyHashesAsync(leaves, cancellationToken)).ConfigureAwait(false);
                foreach (var (k, h) in s)
                    sourceRows[k] = h;
                foreach (var (k, h) in t)
                    targetRows[k] = h;
            }
            if (children.Count == 0)
                break;
            var (hs, ht) = await BothAsync(side => side.HashAsync(children, cancellationToken)).ConfigureAwait(false);
            level = [.. children.Select((r, i) => (r, hs[i], ht[i]))];
        }
        return Classify(sourceRows, targetRows);
    }

    public override async Task<(IReadOnlyList<RowDifference> Still, IReadOnlyList<RowDifference> Settled)> RecheckAsync(IReadOnlyList<RowDifference> found, int valueLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(found);
        var withValues = found.Take(Math.Max(0, valueLimit)).Select(d => d.Key).ToList();
        var hashOnly = found.Skip(Math.Max(0, valueLimit)).Select(d => d.Key).ToList();
        var (s, t) = await BothAsync(async side =>
        {
            var rows = await side.RowsByKeyAsync(withValues, true, cancellationToken).ConfigureAwait(false);
            foreach (var (k, v) in await side.RowsByKeyAsync(hashOnly, false, cancellationToken).ConfigureAwait(false))
                rows[k] = v;
            return rows;
        }).ConfigureAwait(false);
        var still = new List<RowDifference>();
        var settled = new List<RowDifference>();
        foreach (var d in found)
        {
            var inSource = s.TryGetValue(d.Key, out var sr);
            var inTarget = t.TryGetValue(d.Key, out var tr);
            if (inSource && inTarget && sr.Hash == tr.Hash)
            {
                settled.Add(d);
                continue;
            }
            if (!inSource && !inTarget)
            {
                // Deleted on both sides meanwhile: it was in flight.
                settled.Add(d);
                continue;
            }
            var kind = !inTarget ? DifferenceKind.MissingOnTarget : !inSource ? DifferenceKind.ExtraOnTarget : DifferenceKind.Different;
            still.Add(new RowDifference(kind, d.Key)
            {
                SourceRow = sr.Values,
                TargetRow = tr.Values,
                ChangedColumns = kind == DifferenceKind.Different ? ChangedColumns(sr.Values, tr.Values) : [],
            });
        }
        return (still, settled);
    }

    async Task<IReadOnlyList<List<IReadOnlyList<string>>>> BoundariesAsync(TableSide side, List<(KeyRange Range, long Count)> ranges, CancellationToken cancellationToken)
    {
        if (ranges.Count == 0)
            return [];
        var items = ranges.Select(r => (r.Range, Step: Math.Max(1, (r.Count + fanout - 1) / fanout), r.Count)).ToList();
        return await side.BoundariesAsync(items, cancellationToken).ConfigureAwait(false);
    }

    static IEnumerable<KeyRange> Split(KeyRange range, List<IReadOnlyList<string>> bounds)
    {
        var after = range.After;
        foreach (var b in bounds)
        {
            yield return new KeyRange(after, b);
            after = b;
        }
        yield return new KeyRange(after, range.UpTo);
    }

    static List<RowDifference> Classify(Dictionary<RowKey, string> source, Dictionary<RowKey, string> target)
    {
        var result = new List<RowDifference>();
        foreach (var (k, h) in source)
        {
            if (!target.TryGetValue(k, out var th))
                result.Add(new RowDifference(DifferenceKind.MissingOnTarget, k));
            else if (th != h)
                result.Add(new RowDifference(DifferenceKind.Different, k));
        }
        foreach (var k in target.Keys.Where(k => !source.ContainsKey(k)))
            result.Add(new RowDifference(DifferenceKind.ExtraOnTarget, k));
        result.Sort((a, b) => KeyOrder.Compare(a.Key, b.Key));
        return result;
    }
}
