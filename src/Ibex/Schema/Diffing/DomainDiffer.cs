using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>Domains: defaults, NOT NULL and CHECK constraints change in place; a new base type needs a new domain.</summary>
internal sealed class DomainDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var d = (DomainObject)obj;
        var sql = $"CREATE DOMAIN {d.Name.Quoted} AS {d.BaseType}";
        if (d.Collation is { } c)
            sql += " COLLATE " + c.Quoted;
        if (d.Default is { } def)
            sql += " DEFAULT " + def;
        if (d.NotNull)
            sql += " NOT NULL";
        foreach (var check in d.Constraints.Where(c => c.Validated))
            sql += $" CONSTRAINT {Ident.Quote(check.Name)} {check.Check}";
        var statements = new List<PlannedStatement> { new(sql + ";") };
        foreach (var check in d.Constraints.Where(c => !c.Validated))
            statements.Add(new($"ALTER DOMAIN {d.Name.Quoted} ADD CONSTRAINT {Ident.Quote(check.Name)} {check.Check} NOT VALID;"));
        return statements;
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
        => [new($"DROP DOMAIN {((DomainObject)obj).Name.Quoted};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (DomainObject)from;
        var t = (DomainObject)to;
        if (f.BaseType != t.BaseType || f.Collation != t.Collation)
            return null;
        var name = f.Name.Quoted;
        var statements = new List<PlannedStatement>();
        if (f.Default != t.Default)
            statements.Add(new(f.Default is null ? $"ALTER DOMAIN {name} DROP DEFAULT;" : $"ALTER DOMAIN {name} SET DEFAULT {f.Default};"));
        if (f.NotNull != t.NotNull)
            statements.Add(f.NotNull
                ? new($"ALTER DOMAIN {name} SET NOT NULL;", Hazard.Lock("set not null on " + f.Display, "checks every column of the domain"))
                : new($"ALTER DOMAIN {name} DROP NOT NULL;"));
        var old = t.Constraints.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var wanted = f.Constraints.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var c in t.Constraints)
            if (!wanted.TryGetValue(c.Name, out var w) || w.Check != c.Check || (!w.Validated && c.Validated))
                statements.Add(new($"ALTER DOMAIN {name} DROP CONSTRAINT {Ident.Quote(c.Name)};"));
        foreach (var c in f.Constraints)
        {
            var validate = new PlannedStatement($"ALTER DOMAIN {name} VALIDATE CONSTRAINT {Ident.Quote(c.Name)};",
                Hazard.Lock($"validate constraint {DisplayName.Part(c.Name)} on {f.Display}", "checks every column of the domain"));
            if (old.TryGetValue(c.Name, out var o) && o.Check == c.Check && (!o.Validated || c.Validated))
            {
                if (c.Validated && !o.Validated)
                    statements.Add(validate);
                continue;
            }
            statements.Add(new($"ALTER DOMAIN {name} ADD CONSTRAINT {Ident.Quote(c.Name)} {c.Check} NOT VALID;"));
            if (c.Validated)
                statements.Add(validate);
        }
        return new AlterResult(statements);
    }
}
