using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>Casts: any change drops and creates the cast again.</summary>
internal sealed class CastDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var c = (CastObject)obj;
        var context2 = c.Context switch
        {
            'a' => " AS ASSIGNMENT",
            'i' => " AS IMPLICIT",
            _ => "",
        };
        return [new($"CREATE CAST {c.Pair} {c.Method}{context2};")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"DROP CAST {((CastObject)obj).Pair};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => null;
}
