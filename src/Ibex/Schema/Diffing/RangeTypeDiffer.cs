using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>Range types cannot be changed in place: dropped and created again, with whatever uses them.</summary>
internal sealed class RangeTypeDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var r = (RangeTypeObject)obj;
        return [new($"CREATE TYPE {r.Name.Quoted} AS RANGE ({string.Join(", ", r.Options)});")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"DROP TYPE {((RangeTypeObject)obj).Name.Quoted};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => null;
}
