using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

internal sealed class ExtensionDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var e = (ExtensionObject)obj;
        return [new($"CREATE EXTENSION {Ident.Quote(e.Name)} WITH SCHEMA {Ident.Quote(e.SchemaName)} VERSION {Ident.Literal(e.Version)};")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var e = (ExtensionObject)obj;
        return [new($"DROP EXTENSION {Ident.Quote(e.Name)};", Hazard.Lock("drop extension " + DisplayName.Part(e.Name), "drops every object the extension created"))];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (ExtensionObject)from;
        var t = (ExtensionObject)to;
        var statements = new List<PlannedStatement>();
        if (f.SchemaName != t.SchemaName)
            statements.Add(new($"ALTER EXTENSION {Ident.Quote(f.Name)} SET SCHEMA {Ident.Quote(f.SchemaName)};"));
        if (f.Version != t.Version)
            statements.Add(new($"ALTER EXTENSION {Ident.Quote(f.Name)} UPDATE TO {Ident.Literal(f.Version)};"));
        return new AlterResult(statements);
    }
}
