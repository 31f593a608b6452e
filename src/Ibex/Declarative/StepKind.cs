namespace Ibex.Declarative;

/// <summary>What one step of an <see cref="ApplyPlan"/> does, in the order steps run.</summary>
public enum StepKind
{
    AddNode,
    ChangeNode,
    RemoveSync,
    RecreateSync,
    AddSync,
    ChangeSync,
    RemoveTables,
    AddTables,
    SetTableConflicts,
    Pause,
    Resume,
    RemoveNode,
}
