using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Aggregates: created from their options; any change drops and creates them again, with the views that call
/// them (CREATE OR REPLACE AGGREGATE cannot change the kind or state type).
/// </summary>
internal sealed class AggregateDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var a = (AggregateObject)obj;
        return [new($"CREATE AGGREGATE {a.Name.Quoted}({a.Arguments}) ({string.Join(", ", a.Options)});")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
        => [new($"DROP AGGREGATE {((AggregateObject)obj).Signature};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => null;
}
