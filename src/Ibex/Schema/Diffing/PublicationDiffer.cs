using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Publications: the table and schema lists and options are set in place; FOR ALL TABLES cannot be switched, so
/// that change drops and creates the publication again (flagged: its subscribers see the gap).
/// </summary>
internal sealed class PublicationDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var p = (PublicationObject)obj;
        var sql = "CREATE PUBLICATION " + Ident.Quote(p.Name);
        if (p.AllTables)
            sql += " FOR ALL TABLES";
        else if (Objects(p) is { Count: > 0 } objects)
            sql += " FOR " + string.Join(", ", objects);
        return [new(sql + " WITH (" + Options(p) + ");")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var p = (PublicationObject)obj;
        return [new("DROP PUBLICATION " + Ident.Quote(p.Name) + ";", Hazard.Lock("drop " + p.Display, "its subscriptions stop until it exists again"))];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (PublicationObject)from;
        var t = (PublicationObject)to;
        if (f.AllTables != t.AllTables)
            return null;
        var alter = "ALTER PUBLICATION " + Ident.Quote(f.Name);
        var statements = new List<PlannedStatement>();
        if (!f.Tables.SequenceEqual(t.Tables) || !f.Schemas.SequenceEqual(t.Schemas))
        {
            var objects = Objects(f);
            // SET with an empty list is not valid SQL: drop what is there instead.
            statements.Add(objects.Count > 0
                ? new(alter + " SET " + string.Join(", ", objects) + ";")
                : new(alter + " DROP " + string.Join(", ", Objects(t).Select(o => o.Split(" WHERE ")[0].Split(" (")[0])) + ";"));
        }
        if (f.Publish != t.Publish || f.ViaRoot != t.ViaRoot)
            statements.Add(new(alter + " SET (" + Options(f) + ");"));
        return new AlterResult(statements);
    }

    static List<string> Objects(PublicationObject p) => [.. p.Tables, .. p.Schemas];

    static string Options(PublicationObject p)
        => "publish = " + Ident.Literal(p.Publish) + ", publish_via_partition_root = " + (p.ViaRoot ? "true" : "false");
}
