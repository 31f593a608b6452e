using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

internal sealed class NamespaceDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
        => [new($"CREATE SCHEMA {Ident.Quote(((NamespaceObject)obj).Name)};")];

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
        => [new($"DROP SCHEMA {Ident.Quote(((NamespaceObject)obj).Name)};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => AlterResult.Nothing;
}
