using Ibex.Schema.Diffing;
using Ibex.Schema.Model;

namespace Ibex.Schema.Planning;

/// <summary>
/// Lays ordered steps out as statements: BEFORE-transaction statements first, then the transaction, then the
/// AFTER-transaction ones. A comment on something created after COMMIT follows it there; any other statement
/// planned after COMMIT that a transactional statement needs (an index a foreign key uses) is moved into the
/// transaction in its locking form.
/// </summary>
internal static class StatementAssembler
{
    public static List<SchemaStatement> Assemble(List<PlanNode> ordered)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        var afterCommit = ordered.Where(n => n.Statements.Any(s => s.Placement == StatementPlacement.AfterTransaction)).ToHashSet();
        foreach (var node in ordered)
            if (afterCommit.Contains(node))
                foreach (var m in node.Next.Where(m => m.Kind == ObjectKind.Comment))
                {
                    for (var j = 0; j < m.Statements.Count; j++)
                        m.Statements[j] = m.Statements[j] with { Placement = StatementPlacement.AfterTransaction };
                    afterCommit.Add(m);
                }
        var needsTransactionAfter = new HashSet<PlanNode>();
        for (var i = ordered.Count - 1; i >= 0; i--)
        {
            var node = ordered[i];
            if (node.Next.Any(m => needsTransactionAfter.Contains(m) || m.Statements.Any(s => s.Placement == StatementPlacement.Transaction)))
            {
                needsTransactionAfter.Add(node);
                for (var j = 0; j < node.Statements.Count; j++)
                    if (node.Statements[j] is { Placement: StatementPlacement.AfterTransaction, InTransaction: { } inside })
                        node.Statements[j] = inside;
            }
        }
        var all = ordered.SelectMany(n => n.Statements).ToList();
        return
        [
            .. all.Where(s => s.Placement == StatementPlacement.BeforeTransaction).Select(s => Convert(s, false)),
            .. all.Where(s => s.Placement == StatementPlacement.Transaction).Select(s => Convert(s, true)),
            .. all.Where(s => s.Placement == StatementPlacement.AfterTransaction).Select(s => Convert(s, false)),
        ];
    }

    static SchemaStatement Convert(PlannedStatement s, bool transactional)
        => new(s.Sql, [.. s.Hazards.Select(h => h.ToString())], transactional, s.DataLoss);
}
