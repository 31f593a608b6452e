using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Indexes. On a table that already exists the index is built CONCURRENTLY after COMMIT; a partitioned table
/// cannot do that, and a new table needs no care.
/// </summary>
internal sealed class IndexDiffer : IObjectDiffer
{
    const string LockReason = "builds the index under a SHARE lock that blocks writes";

    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var i = (IndexObject)obj;
        var create = "CREATE " + (i.Unique ? "UNIQUE " : "") + "INDEX ";
        var tail = Ident.Quote(i.Name.Name) + " ON " + i.Table.Quoted + " " + i.Body + ";";
        if (context.CreatedInScript(i.RelationKey))
            return [new(create + tail)];
        var locked = new PlannedStatement(create + tail, Hazard.Lock("create " + i.Display, LockReason));
        if (i.OnPartitionedTable)
            return [locked];
        return [new PlannedStatement(create + "CONCURRENTLY " + tail, StatementPlacement.AfterTransaction, []) { InTransaction = locked }];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
        => [new("DROP INDEX " + ((IndexObject)obj).Name.Quoted + ";")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => null;
}
