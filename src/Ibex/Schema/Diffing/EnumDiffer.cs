using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Enums: new labels are added with ALTER TYPE … ADD VALUE before the transaction (a value added inside a
/// transaction cannot be used until it commits); removing or reordering labels needs the type created again.
/// </summary>
internal sealed class EnumDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var e = (EnumObject)obj;
        return [new($"CREATE TYPE {e.Name.Quoted} AS ENUM ({string.Join(", ", e.Labels.Select(Ident.Literal))});")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
        => [new($"DROP TYPE {((EnumObject)obj).Name.Quoted};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (EnumObject)from;
        var t = (EnumObject)to;
        var existing = t.Labels.ToHashSet(StringComparer.Ordinal);
        // The old labels must keep their order inside the new list.
        if (!f.Labels.Where(existing.Contains).SequenceEqual(t.Labels, StringComparer.Ordinal))
            return null;
        var statements = new List<PlannedStatement>();
        var firstOld = f.Labels.ToList().FindIndex(existing.Contains);
        if (firstOld < 0)
            return null;
        for (var i = firstOld - 1; i >= 0; i--)
            statements.Add(Add(f.Name, f.Labels[i], "BEFORE", f.Labels[i + 1]));
        for (var i = firstOld + 1; i < f.Labels.Count; i++)
            if (!existing.Contains(f.Labels[i]))
                statements.Add(Add(f.Name, f.Labels[i], "AFTER", f.Labels[i - 1]));
        return new AlterResult(statements);
    }

    static PlannedStatement Add(QualifiedName type, string label, string where, string neighbour)
        => new($"ALTER TYPE {type.Quoted} ADD VALUE {Ident.Literal(label)} {where} {Ident.Literal(neighbour)};", StatementPlacement.BeforeTransaction, []);
}
