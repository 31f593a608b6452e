using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

internal sealed class SequenceDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var s = (SequenceObject)obj;
        return [new($"CREATE SEQUENCE {s.Name.Quoted} {s.Options.Render()};")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var s = (SequenceObject)obj;
        return [new($"DROP SEQUENCE {s.Name.Quoted};", Hazard.Loss("drop " + s.Display, "data loss: its current value"))];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (SequenceObject)from;
        var changes = f.Options.Changes(((SequenceObject)to).Options);
        return new AlterResult(changes.Count == 0 ? [] : [new($"ALTER SEQUENCE {f.Name.Quoted} {string.Join(" ", changes)};")]);
    }
}
