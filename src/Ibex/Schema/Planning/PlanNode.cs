using Ibex.Schema.Diffing;
using Ibex.Schema.Model;

namespace Ibex.Schema.Planning;

/// <summary>
/// One step of the plan: dropping, creating or altering one object (several keys may share a node, e.g. a table
/// and the columns created with it). <see cref="Next"/> holds the steps that must come after this one.
/// </summary>
internal sealed class PlanNode(int id, SchemaObject obj, NodeAction action, IReadOnlyList<PlannedStatement> statements)
{
    public int Id { get; } = id;

    public string Key { get; } = obj.Key;

    /// <summary>The object as messages name it.</summary>
    public string Display { get; } = obj.Display;

    /// <summary>Breaks ties between steps free to go in either order.</summary>
    public string OrderKey { get; } = obj.OrderKey;

    public NodeAction Action { get; } = action;

    public ObjectKind Kind { get; } = obj.Kind;

    public List<PlannedStatement> Statements { get; } = [.. statements];

    public HashSet<PlanNode> Next { get; } = [];

    public override string ToString() => $"{Action} {Key}";
}
