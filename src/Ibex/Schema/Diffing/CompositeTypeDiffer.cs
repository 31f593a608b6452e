using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Composite types: attributes are added at the end, dropped, or change type in place (unless a table column
/// uses the type, which PostgreSQL refuses); anything that would reorder attributes needs a new type.
/// </summary>
internal sealed class CompositeTypeDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var c = (CompositeTypeObject)obj;
        return [new($"CREATE TYPE {c.Name.Quoted} AS ({string.Join(", ", c.Attributes.Select(a => a.ToString()))});")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
        => [new($"DROP TYPE {((CompositeTypeObject)obj).Name.Quoted};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (CompositeTypeObject)from;
        var t = (CompositeTypeObject)to;
        var wanted = f.Attributes.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var kept = t.Attributes.Where(a => wanted.ContainsKey(a.Name)).Select(a => a.Name).ToList();
        // What is kept must come first in the new type, in the old order; new attributes can only be appended.
        if (!f.Attributes.Take(kept.Count).Select(a => a.Name).SequenceEqual(kept, StringComparer.Ordinal))
            return null;
        var usedByColumns = context.To.DependentsOf(t.Key).Any(k => context.To.Find(k) is ColumnObject);
        var statements = new List<PlannedStatement>();
        var name = f.Name.Quoted;
        foreach (var a in t.Attributes.Where(a => !wanted.ContainsKey(a.Name)))
        {
            var hazards = usedByColumns ? new[] { Hazard.Loss($"drop attribute {DisplayName.Part(a.Name)} of {t.Display}") } : [];
            statements.Add(new($"ALTER TYPE {name} DROP ATTRIBUTE {Ident.Quote(a.Name)};", hazards));
        }
        foreach (var a in t.Attributes.Where(a => wanted.TryGetValue(a.Name, out var w) && w != a))
        {
            if (usedByColumns)
                return null;
            var w = wanted[a.Name];
            statements.Add(new($"ALTER TYPE {name} ALTER ATTRIBUTE {Ident.Quote(a.Name)} TYPE {w.Type}{(w.Collation is { } c ? " COLLATE " + c.Quoted : "")};"));
        }
        foreach (var a in f.Attributes.Skip(kept.Count))
            statements.Add(new($"ALTER TYPE {name} ADD ATTRIBUTE {a};"));
        return new AlterResult(statements);
    }
}
