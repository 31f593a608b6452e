using Ibex.Schema.Planning;

namespace Ibex.Schema.Ordering;

/// <summary>
/// Orders plan steps so every step comes after the ones it needs. Among steps that are free to go, drops come
/// first (dependents before what they depend on: triggers, views, tables, types, schemas), then creates and alters
/// by kind (schemas, types, sequences, functions, tables, constraints, indexes, views, triggers…), then by name.
/// </summary>
internal static class TopologicalOrder
{
    static readonly Comparer<(int Phase, int Rank, string Key, int Id)> Priority = Comparer<(int Phase, int Rank, string Key, int Id)>.Create((a, b) =>
    {
        var c = a.Phase.CompareTo(b.Phase);
        if (c == 0)
            c = a.Rank.CompareTo(b.Rank);
        if (c == 0)
            c = string.CompareOrdinal(a.Key, b.Key);
        return c != 0 ? c : a.Id.CompareTo(b.Id);
    });

    /// <summary>Orders the steps; <paramref name="cycles"/> gets the steps where a dependency cycle had to be broken.</summary>
    public static List<PlanNode> Sort(IReadOnlyList<PlanNode> nodes, out IReadOnlyList<PlanNode> cycles)
    {
        var broken = new List<PlanNode>();
        cycles = broken;
        ArgumentNullException.ThrowIfNull(nodes);
        var incoming = new Dictionary<PlanNode, int>();
        foreach (var n in nodes)
            incoming.TryAdd(n, 0);
        foreach (var n in nodes)
            foreach (var m in n.Next)
                incoming[m] = incoming.GetValueOrDefault(m) + 1;
        var ready = new PriorityQueue<PlanNode, (int, int, string, int)>(Priority);
        foreach (var (n, count) in incoming)
            if (count == 0)
                ready.Enqueue(n, Key(n));
        var done = new HashSet<PlanNode>();
        var result = new List<PlanNode>(nodes.Count);
        while (result.Count < incoming.Count)
        {
            if (ready.Count == 0)
            {
                // A cycle (which the dependency rules should not produce): break it at the first remaining step.
                var next = incoming.Keys.Where(n => !done.Contains(n)).MinBy(Key, Priority)!;
                broken.Add(next);
                incoming[next] = 0;
                ready.Enqueue(next, Key(next));
            }
            var node = ready.Dequeue();
            if (!done.Add(node))
                continue;
            result.Add(node);
            foreach (var m in node.Next)
                if (!done.Contains(m) && --incoming[m] == 0)
                    ready.Enqueue(m, Key(m));
        }
        return result;
    }

    static (int, int, string, int) Key(PlanNode n)
        => n.Action == NodeAction.Drop ? (0, -(int)n.Kind, n.OrderKey, n.Id) : (1, (int)n.Kind, n.OrderKey, n.Id);
}
