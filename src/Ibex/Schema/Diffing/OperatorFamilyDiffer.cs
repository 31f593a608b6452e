using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Operator families: created, then their loose members added; a change of members drops and creates the family
/// again, with its classes and the indexes that use them (an index rebuild, not a data loss).
/// </summary>
internal sealed class OperatorFamilyDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var f = (OperatorFamilyObject)obj;
        var statements = new List<PlannedStatement> { new($"CREATE OPERATOR FAMILY {f.Target};") };
        if (f.Members.Count > 0)
            statements.Add(new($"ALTER OPERATOR FAMILY {f.Target} ADD {string.Join(", ", f.Members)};"));
        return statements;
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"DROP OPERATOR FAMILY {((OperatorFamilyObject)obj).Target};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => null;
}
