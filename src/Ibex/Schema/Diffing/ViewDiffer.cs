using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Views are replaced in place (CREATE OR REPLACE) when the new one only appends columns; materialized views
/// and other changes are dropped and created again, with whatever depends on them.
/// </summary>
internal sealed class ViewDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var v = (ViewObject)obj;
        return [new((v.Materialized ? "CREATE MATERIALIZED VIEW " : "CREATE VIEW ") + Head(v) + (v.Materialized ? "\n  WITH DATA;" : ";"))];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var v = (ViewObject)obj;
        return [new((v.Materialized ? "DROP MATERIALIZED VIEW " : "DROP VIEW ") + v.Name.Quoted + ";")];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (ViewObject)from;
        var t = (ViewObject)to;
        if (f.Materialized || t.Columns.Count > f.Columns.Count || !f.Columns.Take(t.Columns.Count).SequenceEqual(t.Columns))
            return null;
        // CREATE OR REPLACE VIEW keeps options it is not given; reset the ones that go away.
        var removed = t.Options.Select(RelOptions.Name).Except(f.Options.Select(RelOptions.Name), StringComparer.Ordinal).ToList();
        var statements = new List<PlannedStatement>();
        if (removed.Count > 0)
            statements.Add(new("ALTER VIEW " + f.Name.Quoted + " RESET (" + string.Join(", ", removed.Select(RelOptions.QuoteName)) + ");"));
        statements.Add(new("CREATE OR REPLACE VIEW " + Head(f) + ";"));
        return new AlterResult(statements);
    }

    static string Head(ViewObject v)
        => v.Name.Quoted + (v.Options.Count > 0 ? " WITH (" + string.Join(", ", v.Options.Select(RelOptions.Set)) + ")" : "") + " AS\n" + v.Query;
}
