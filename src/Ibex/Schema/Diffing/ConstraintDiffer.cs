using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Table constraints. On a table that already has rows, CHECK and FOREIGN KEY constraints are added NOT VALID
/// (a short lock) and then validated (a scan that does not block writes).
/// </summary>
internal sealed class ConstraintDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var c = (ConstraintObject)obj;
        var add = ColumnSql.AlterTable(c.Table) + "ADD CONSTRAINT " + Ident.Quote(c.Name) + " " + c.Body;
        if (context.CreatedInScript(c.ParentKey) || !c.Validated)
            return [new(add + (c.Validated ? "" : " NOT VALID") + ";")];
        var action = "add " + c.Display;
        return c.Type switch
        {
            'c' or 'f' when !(c.Type == 'f' && c.OnPartitionedTable) => [new(add + " NOT VALID;"), Validate(c)],
            'f' => [new(add + ";", Hazard.Lock(action, "checks every row under a SHARE ROW EXCLUSIVE lock"))],
            _ => [new(add + ";", Hazard.Lock(action, "builds an index under an ACCESS EXCLUSIVE lock"))],
        };
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var c = (ConstraintObject)obj;
        return [new(ColumnSql.AlterTable(c.Table) + "DROP CONSTRAINT " + Ident.Quote(c.Name) + ";")];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (ConstraintObject)from;
        var t = (ConstraintObject)to;
        return f.Body == t.Body && f.Type == t.Type && f.Validated && !t.Validated ? new AlterResult([Validate(f)]) : null;
    }

    static PlannedStatement Validate(ConstraintObject c)
        => new(ColumnSql.AlterTable(c.Table) + "VALIDATE CONSTRAINT " + Ident.Quote(c.Name) + ";",
            Hazard.Lock("validate " + c.Display, "scans the table; writes continue"));
}
