namespace Ibex.Setup;

/// <summary>The outcome of planning a sync's tables: the tables, and what stops the plan or is worth a warning.</summary>
public sealed class TablePlan
{
    public List<PlannedTable> Tables { get; } = [];

    /// <summary>Problems that refuse the sync, each naming the node and table.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>SQL that would fix a node's schema, per node.</summary>
    public List<string> Fixes { get; } = [];

    public List<string> Warnings { get; } = [];

    /// <summary>Tables whose replica identity must become FULL on the sources (a row filter on non-key columns).</summary>
    public HashSet<Sql.QualifiedName> NeedFullIdentity { get; } = [];

    /// <summary>Throws the refusal (every problem, and the fix SQL when known), if there is any problem.</summary>
    public void ThrowIfRefused(string where)
    {
        if (Problems.Count == 0)
            return;
        var hint = Fixes.Count > 0 ? "\n" + string.Join("\n", Fixes)
            : "; 'ibex schema diff --from SOURCE --to TARGET' prints the SQL that fixes the schema";
        throw new IbexException($"{where} refused, nothing was created: {string.Join(" | ", Problems)}{hint}");
    }
}
