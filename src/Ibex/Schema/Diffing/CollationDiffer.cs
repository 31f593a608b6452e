using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>Collations cannot be changed in place: dropped and created again, with the columns and indexes that use them.</summary>
internal sealed class CollationDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var c = (CollationObject)obj;
        var options = new List<string>();
        if (c.Provider == 'i')
        {
            options.Add("provider = icu");
            options.Add("locale = " + Ident.Literal(c.Locale ?? ""));
            if (c.Rules is { } rules)
                options.Add("rules = " + Ident.Literal(rules));
        }
        else
        {
            options.Add("provider = libc");
            options.Add("lc_collate = " + Ident.Literal(c.Collate ?? ""));
            options.Add("lc_ctype = " + Ident.Literal(c.Ctype ?? ""));
        }
        if (!c.Deterministic)
            options.Add("deterministic = false");
        return [new($"CREATE COLLATION {c.Name.Quoted} ({string.Join(", ", options)});")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"DROP COLLATION {((CollationObject)obj).Name.Quoted};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => null;
}
