namespace Ibex.Declarative;

/// <summary>What <c>ibex apply</c> changes to make a control database match a file, in the order it runs.</summary>
public sealed record ApplyPlan(IReadOnlyList<PlanStep> Steps)
{
    public bool IsEmpty => Steps.Count == 0;

    public IEnumerable<PlanStep> Destructive => Steps.Where(s => s.Destructive);

    /// <summary>One line naming what the destructive steps remove or make anew.</summary>
    public string DestructiveSummary => string.Join(", ", Destructive.Select(s => s.Kind switch
    {
        StepKind.RemoveTables => $"tables {string.Join(", ", s.Tables.Select(t => t.Name.Display))} of sync '{s.Name}'",
        StepKind.RecreateSync => $"sync '{s.Name}' (made anew)",
        StepKind.RemoveSync => $"sync '{s.Name}'",
        _ => $"node '{s.Name}'",
    }));
}
