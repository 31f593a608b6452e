using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>Operator classes: any change drops and creates the class again, with the indexes that use it.</summary>
internal sealed class OperatorClassDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var c = (OperatorClassObject)obj;
        var items = c.Items.ToList();
        if (c.Storage is { } storage)
            items.Add("STORAGE " + storage);
        return [new($"CREATE OPERATOR CLASS {c.Name.Quoted}{(c.Default ? " DEFAULT" : "")} FOR TYPE {c.Type} USING {Ident.Quote(c.Method)} FAMILY {c.Family.Quoted} AS {string.Join(", ", items)};")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"DROP OPERATOR CLASS {((OperatorClassObject)obj).Target};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => null;
}
