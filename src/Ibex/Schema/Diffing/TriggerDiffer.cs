using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>Triggers: created from their definition, with ENABLE/DISABLE as a separate step.</summary>
internal sealed class TriggerDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var t = (TriggerObject)obj;
        var statements = new List<PlannedStatement>
        {
            new("CREATE " + (t.IsConstraint ? "CONSTRAINT " : "") + "TRIGGER " + Ident.Quote(t.Name) + " " + t.Body + ";"),
        };
        if (t.Enabled != 'O')
            statements.Add(Enable(t));
        return statements;
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var t = (TriggerObject)obj;
        return [new("DROP TRIGGER " + Ident.Quote(t.Name) + " ON " + t.Table.Quoted + ";")];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (TriggerObject)from;
        var t = (TriggerObject)to;
        return f.Body == t.Body && f.IsConstraint == t.IsConstraint ? new AlterResult([Enable(f)]) : null;
    }

    static PlannedStatement Enable(TriggerObject t)
    {
        var how = t.Enabled switch
        {
            'D' => "DISABLE",
            'R' => "ENABLE REPLICA",
            'A' => "ENABLE ALWAYS",
            _ => "ENABLE",
        };
        return new(ColumnSql.AlterTable(t.Table) + how + " TRIGGER " + Ident.Quote(t.Name) + ";");
    }
}
