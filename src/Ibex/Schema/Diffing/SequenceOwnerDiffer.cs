using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

internal sealed class SequenceOwnerDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context) => [Own((SequenceOwnerObject)obj)];

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
        => [new($"ALTER SEQUENCE {((SequenceOwnerObject)obj).Sequence.Quoted} OWNED BY NONE;")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => new([Own((SequenceOwnerObject)from)]);

    static PlannedStatement Own(SequenceOwnerObject o) => new($"ALTER SEQUENCE {o.Sequence.Quoted} OWNED BY {o.Table.Quoted}.{Ident.Quote(o.Column)};");
}
