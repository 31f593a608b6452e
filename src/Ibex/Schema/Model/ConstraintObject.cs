using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A primary key, unique, foreign key, check or exclusion constraint of a table.</summary>
internal sealed record ConstraintObject : SchemaObject
{
    public required QualifiedName Table { get; init; }

    public required string Name { get; init; }

    /// <summary>pg_constraint.contype: p, u, f, c or x.</summary>
    public required char Type { get; init; }

    /// <summary><c>pg_get_constraintdef</c> without a trailing NOT VALID.</summary>
    public required string Body { get; init; }

    public bool Validated { get; init; } = true;

    public bool OnPartitionedTable { get; init; }

    public override string Key => Keys.Constraint(Table, Name);

    public override ObjectKind Kind => ObjectKind.Constraint;

    public override string Display => "constraint " + DisplayName.Part(Name) + " on " + Table.Display;

    public override string Schema => Table.Schema;

    public override string ParentKey => Keys.Table(Table);

    /// <summary>Foreign keys are dropped on their own first, so tables that reference each other can be dropped.</summary>
    public override string? DroppedWith => Type == 'f' ? null : ParentKey;

    public override string Definition => Body + (Validated ? "" : " NOT VALID");

    public override string CommentTarget => "CONSTRAINT " + Ident.Quote(Name) + " ON " + Table.Quoted;
}
