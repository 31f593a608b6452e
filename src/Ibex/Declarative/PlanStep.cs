using Ibex.Control.Model;

namespace Ibex.Declarative;

/// <summary>One change <c>ibex apply</c> makes, with what it needs and the line that describes it.</summary>
public sealed record PlanStep(StepKind Kind, string Name, string Text)
{
    /// <summary>The node as wanted (AddNode, ChangeNode).</summary>
    public NodeConfig? Node { get; init; }

    /// <summary>The sync as wanted (every sync step but RemoveSync).</summary>
    public SyncConfig? Sync { get; init; }

    /// <summary>The tables added, removed or given another conflict strategy.</summary>
    public IReadOnlyList<TableConfig> Tables { get; init; } = [];

    /// <summary>Removes something (a node, a sync, tables) or makes a sync anew: needs <c>--yes</c>.</summary>
    public bool Destructive => Kind is StepKind.RemoveNode or StepKind.RemoveSync or StepKind.RecreateSync or StepKind.RemoveTables;

    /// <summary>Drops replication slots (what they retained is gone).</summary>
    public bool DropsSlot => Kind is StepKind.RemoveSync or StepKind.RecreateSync;

    /// <summary>Starts an initial copy of tables into targets.</summary>
    public bool NeedsCopy => Kind is StepKind.AddSync or StepKind.RecreateSync or StepKind.AddTables
        && Sync is { Copy: not CopyMode.Never } s && (s.Targets.Count > 0 || s.Sources.Count > 1);

    /// <summary>The line printed for this step: <c>+</c> add, <c>~</c> change, <c>-</c> remove, <c>!</c> make anew.</summary>
    public string Line
    {
        get
        {
            var mark = Kind switch
            {
                StepKind.AddNode or StepKind.AddSync or StepKind.AddTables => "+",
                StepKind.RemoveNode or StepKind.RemoveSync or StepKind.RemoveTables => "-",
                StepKind.RecreateSync => "!",
                _ => "~",
            };
            var notes = new List<string>();
            if (NeedsCopy)
                notes.Add($"initial copy ({Sync!.Copy.ToString().ToLowerInvariant()})");
            if (DropsSlot)
                notes.Add("drops its slots and publication");
            return $"{mark} {Text}" + (notes.Count > 0 ? $" [{string.Join("; ", notes)}]" : "");
        }
    }
}
