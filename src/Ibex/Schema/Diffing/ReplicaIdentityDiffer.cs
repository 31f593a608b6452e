using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

internal sealed class ReplicaIdentityDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context) => [Set((ReplicaIdentityObject)obj)];

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
        => [new(ColumnSql.AlterTable(((ReplicaIdentityObject)obj).Table) + "REPLICA IDENTITY DEFAULT;")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => new([Set((ReplicaIdentityObject)from)]);

    static PlannedStatement Set(ReplicaIdentityObject r) => new(ColumnSql.AlterTable(r.Table) + "REPLICA IDENTITY " + r.Clause + ";");
}
