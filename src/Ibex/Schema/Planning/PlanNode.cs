using Ibex.Schema.Diffing;
using Ibex.Schema.Model;

namespace Ibex.Schema.Planning;

/// <summary>
/// One step of the plan: dropping, creating or altering one object (several keys may share a node, e.g. a table
/// and the columns created with it). <see cref="Next"/> holds the steps that must come after this one.
/// </summary>
internal sealed class PlanNode(int id, string key, NodeAction action, ObjectKind kind, IReadOnlyList<PlannedStatement> statements)
{
    public int Id { get; } = id;

    public string Key { get; } = key;

    public NodeAction Action { get; } = action;

    public ObjectKind Kind { get; } = kind;

    public List<PlannedStatement> Statements { get; } = [.. statements];

    public HashSet<PlanNode> Next { get; } = [];

    public override string ToString() => $"{Action} {Key}";
}
