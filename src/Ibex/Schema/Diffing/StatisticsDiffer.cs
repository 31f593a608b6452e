using System.Globalization;
using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>Extended statistics: created from their definition, the target set in place; other changes recreate them.</summary>
internal sealed class StatisticsDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var s = (StatisticsObject)obj;
        var statements = new List<PlannedStatement> { new("CREATE STATISTICS " + s.Name.Quoted + s.Body + ";") };
        if (s.Target is not null)
            statements.Add(SetTarget(s));
        return statements;
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new("DROP STATISTICS " + ((StatisticsObject)obj).Name.Quoted + ";")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (StatisticsObject)from;
        return f.Body == ((StatisticsObject)to).Body ? new AlterResult([SetTarget(f)]) : null;
    }

    static PlannedStatement SetTarget(StatisticsObject s)
        => new("ALTER STATISTICS " + s.Name.Quoted + " SET STATISTICS " + (s.Target ?? -1).ToString(CultureInfo.InvariantCulture) + ";");
}
