using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Operators: any change drops and creates the operator again, with whatever uses it. A commutator or negator
/// that does not exist yet is created as a shell by PostgreSQL and filled in when its own CREATE runs.
/// </summary>
internal sealed class OperatorDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var o = (OperatorObject)obj;
        return [new($"CREATE OPERATOR {Ident.Quote(o.SchemaName)}.{o.Name} ({string.Join(", ", o.Options)});")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"DROP OPERATOR {((OperatorObject)obj).Signature};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => null;
}
