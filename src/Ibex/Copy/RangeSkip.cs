using Ibex.Changes;
using NpgsqlTypes;

namespace Ibex.Copy;

/// <summary>
/// A table whose ranges were copied at different snapshots (a copy resumed after a crash): a change of a row is in the
/// copy when its transaction committed before the snapshot of the range the row belongs to, and must then be skipped;
/// after, it must be applied. A key update moving a row between ranges can be half in the copy: the old key's side is
/// applied as a delete, or the new key's as an insert. Pure: the decision depends only on its arguments.
/// </summary>
public sealed class RangeSkip
{
    readonly RangeKind _kind;
    readonly IReadOnlyList<(CopyRange Range, NpgsqlLogSequenceNumber CopyLsn)> _ranges;

    /// <param name="kind">An orderable kind (<see cref="RangeKind.Integer"/> or <see cref="RangeKind.Uuid"/>).</param>
    /// <param name="keyColumn">The source column the ranges bound.</param>
    /// <param name="ranges">Every range of the table with the LSN of the snapshot it was copied at, ordered by bound.</param>
    public RangeSkip(RangeKind kind, string keyColumn, IReadOnlyList<(CopyRange Range, NpgsqlLogSequenceNumber CopyLsn)> ranges)
    {
        if (kind == RangeKind.Block)
            throw new ArgumentException("block ranges cannot be told apart by a change", nameof(kind));
        ArgumentNullException.ThrowIfNull(ranges);
        _kind = kind;
        KeyColumn = keyColumn;
        _ranges = ranges;
        _last = ranges.Max(r => r.CopyLsn);
    }

    // Past the latest range's snapshot every change is applied: the common case costs no key lookup.
    readonly NpgsqlLogSequenceNumber _last;

    public string KeyColumn { get; }

    /// <summary>The snapshot LSN of the range holding <paramref name="key"/>.</summary>
    public NpgsqlLogSequenceNumber CopyLsnOf(string key)
    {
        // The ranges are adjacent and ordered: the first whose upper bound is past the key holds it.
        int lo = 0, hi = _ranges.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_ranges[mid].Range.Upper is { } upper && RangeKeyOrder.Compare(_kind, key, upper) >= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return _ranges[lo].CopyLsn;
    }

    /// <summary>What to do with a change of keys <paramref name="oldKey"/> (update, delete) and <paramref name="newKey"/> (insert, update) committed at <paramref name="commitLsn"/>.</summary>
    public RangeSkipDecision Decide(ChangeKind kind, string? oldKey, string? newKey, NpgsqlLogSequenceNumber commitLsn)
    {
        bool InCopy(string? key, string side) => commitLsn < CopyLsnOf(key ?? throw new IbexException($"a change of the {side} row carries no value of key column {KeyColumn}, needed to resume its table's copy; copy the table again"));
        switch (kind)
        {
            case ChangeKind.Insert:
                return InCopy(newKey, "new") ? RangeSkipDecision.Skip : RangeSkipDecision.Apply;
            case ChangeKind.Delete:
                return InCopy(oldKey, "old") ? RangeSkipDecision.Skip : RangeSkipDecision.Apply;
            case ChangeKind.Update:
                var oldIn = InCopy(oldKey ?? newKey, "old");
                var newIn = InCopy(newKey, "new");
                return (oldIn, newIn) switch
                {
                    (true, true) => RangeSkipDecision.Skip,
                    (false, false) => RangeSkipDecision.Apply,
                    (false, true) => RangeSkipDecision.DeleteOld,
                    (true, false) => RangeSkipDecision.InsertNew,
                };
            default:
                // A TRUNCATE empties every range: it is in the copy of all of them or of none, else it cannot be replayed.
                var ins = _ranges.Select(r => commitLsn < r.CopyLsn).Distinct().ToList();
                if (ins.Count > 1)
                    throw new IbexException($"a TRUNCATE committed while the copy of its table (key {KeyColumn}) was resumed, between the snapshots of its ranges; copy the table again");
                return ins[0] ? RangeSkipDecision.Skip : RangeSkipDecision.Apply;
        }
    }

    /// <summary>
    /// The change as it must be applied (possibly turned into the delete of its old row or the insert of its new one),
    /// or null when it is in the copy.
    /// </summary>
    public Change? Filter(Change change, NpgsqlLogSequenceNumber commitLsn)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (commitLsn >= _last)
            return change;
        var column = IndexOf(change.Relation);
        var newKey = column < 0 ? null : change.NewRow?.Text(column);
        var oldKey = column < 0 ? null : change.OldRow?.Text(column);
        return Decide(change.Kind, oldKey, newKey, commitLsn) switch
        {
            RangeSkipDecision.Skip => null,
            RangeSkipDecision.Apply => change,
            RangeSkipDecision.DeleteOld => change with { Kind = ChangeKind.Delete, NewRow = null },
            _ => change.NewRow!.HasUnchangedToast
                ? throw new IbexException($"table {change.Relation.Name.Display}: a row moved between ranges copied at different snapshots and has unchanged large values the copy lacks; copy the table again")
                : change with { Kind = ChangeKind.Insert, OldRow = null },
        };
    }

    int IndexOf(RelationInfo relation)
    {
        for (var i = 0; i < relation.Columns.Count; i++)
            if (relation.Columns[i] == KeyColumn)
                return i;
        return -1;
    }
}
