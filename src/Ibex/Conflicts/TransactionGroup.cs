namespace Ibex.Conflicts;

/// <summary>
/// Consecutive remote transactions of a multi-master link decided together: their lookups go in one round trip, one
/// fence through the local stream serves all of them, and they are sent in one round trip, each still its own target
/// transaction in commit order (so each keeps its commit time and origin position). A transaction whose keys or unique
/// values meet those of one already in the group starts a new group, since it must see what the earlier one wrote.
/// </summary>
public sealed class TransactionGroup(int maxTransactions, int maxChanges)
{
    readonly List<GroupedTransaction> _items = [];
    readonly HashSet<string> _footprint = new(StringComparer.Ordinal);
    int _changes;

    public int Count => _items.Count;

    public IReadOnlyList<GroupedTransaction> Items => _items;

    /// <summary>Whether <paramref name="plan"/> can join without being decided on lookups that miss an earlier member's writes.</summary>
    public bool Admits(ConflictPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return _items.Count == 0 || (!plan.Footprint.Overlaps(_footprint) && plan.Work.Count + _changes <= maxChanges);
    }

    public void Add(GroupedTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        _items.Add(transaction);
        _footprint.UnionWith(transaction.Plan.Footprint);
        _changes += transaction.Plan.Work.Count;
    }

    public bool IsFull => _items.Count >= maxTransactions || _changes >= maxChanges;

    /// <summary>Hands the members over (in commit order) and starts empty.</summary>
    public List<GroupedTransaction> Take()
    {
        var taken = _items.ToList();
        _items.Clear();
        _footprint.Clear();
        _changes = 0;
        return taken;
    }
}
