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
        var t = (SequenceObject)to;
        var changes = f.Options.Changes(t.Options);
        if (changes.Count == 0)
            return AlterResult.Nothing;
        var sql = $"ALTER SEQUENCE {f.Name.Quoted} {string.Join(" ", changes)}";
        // Counting the other way leaves the current value outside the new range: start over.
        if (Math.Sign(f.Options.Increment) != Math.Sign(t.Options.Increment))
            return new AlterResult([new(sql + " RESTART;", Hazard.Loss("restart " + f.Display, "data loss: its current value"))]);
        return new AlterResult([new(sql + ";")]);
    }
}
