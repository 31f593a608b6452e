using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

internal sealed class CommentDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context) => [Set((CommentObject)obj)];

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"COMMENT ON {((CommentObject)obj).Target} IS NULL;")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => new([Set((CommentObject)from)]);

    static PlannedStatement Set(CommentObject c) => new($"COMMENT ON {c.Target} IS {Ident.Literal(c.Text)};");
}
