using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>Rules: created from their definition (replaced when it changes), with ENABLE/DISABLE on tables as a separate step.</summary>
internal sealed class RuleDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var r = (RuleObject)obj;
        var statements = new List<PlannedStatement> { new("CREATE RULE " + Ident.Quote(r.Name) + " AS" + r.Body + ";") };
        if (r.Enabled != 'O')
            statements.Add(Enable(r));
        return statements;
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var r = (RuleObject)obj;
        return [new("DROP RULE " + Ident.Quote(r.Name) + " ON " + r.Table.Quoted + ";")];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (RuleObject)from;
        var t = (RuleObject)to;
        if (f.Body == t.Body)
            return new AlterResult([Enable(f)]);
        var statements = new List<PlannedStatement> { new("CREATE OR REPLACE RULE " + Ident.Quote(f.Name) + " AS" + f.Body + ";") };
        if (f.Enabled != t.Enabled)
            statements.Add(Enable(f));
        return new AlterResult(statements);
    }

    static PlannedStatement Enable(RuleObject r)
    {
        var how = r.Enabled switch
        {
            'D' => "DISABLE",
            'R' => "ENABLE REPLICA",
            'A' => "ENABLE ALWAYS",
            _ => "ENABLE",
        };
        return new(ColumnSql.AlterTable(r.Table) + how + " RULE " + Ident.Quote(r.Name) + ";");
    }
}
