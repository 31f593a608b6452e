using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>Event triggers: created from their event, tags and function, with ENABLE/DISABLE as a separate step.</summary>
internal sealed class EventTriggerDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var e = (EventTriggerObject)obj;
        var sql = "CREATE EVENT TRIGGER " + Ident.Quote(e.Name) + " ON " + Ident.Quote(e.Event);
        if (e.Tags.Count > 0)
            sql += " WHEN TAG IN (" + string.Join(", ", e.Tags.Select(Ident.Literal)) + ")";
        var statements = new List<PlannedStatement> { new(sql + " EXECUTE FUNCTION " + e.Function.Quoted + "();") };
        if (e.Enabled != 'O')
            statements.Add(Enable(e));
        return statements;
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new("DROP EVENT TRIGGER " + Ident.Quote(((EventTriggerObject)obj).Name) + ";")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (EventTriggerObject)from;
        var t = (EventTriggerObject)to;
        return f with { Enabled = t.Enabled } == t ? new AlterResult([Enable(f)]) : null;
    }

    static PlannedStatement Enable(EventTriggerObject e)
    {
        var how = e.Enabled switch
        {
            'D' => "DISABLE",
            'R' => "ENABLE REPLICA",
            'A' => "ENABLE ALWAYS",
            _ => "ENABLE",
        };
        return new("ALTER EVENT TRIGGER " + Ident.Quote(e.Name) + " " + how + ";");
    }
}
