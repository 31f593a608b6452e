using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>
/// A table, partitioned table or partition. Columns, constraints, indexes, triggers and policies are objects of
/// their own; the table carries what CREATE TABLE needs besides its columns, and its table-wide switches.
/// </summary>
internal sealed record TableObject : SchemaObject
{
    public required QualifiedName Name { get; init; }

    /// <summary><c>pg_get_partkeydef</c> for a partitioned table (e.g. <c>RANGE (created_at)</c>), else null.</summary>
    public string? PartitionKey { get; init; }

    /// <summary>The parent when this table is a partition.</summary>
    public QualifiedName? PartitionOf { get; init; }

    /// <summary>The partition bound (e.g. <c>FOR VALUES FROM (1) TO (10)</c> or <c>DEFAULT</c>).</summary>
    public string? PartitionBound { get; init; }

    /// <summary>Parents by plain (non-partition) inheritance, in inheritance order.</summary>
    public IReadOnlyList<QualifiedName> Inherits { get; init; } = [];

    public bool Unlogged { get; init; }

    public bool RowSecurity { get; init; }

    public bool ForceRowSecurity { get; init; }

    /// <summary>Storage parameters (<c>fillfactor=70</c>) in catalog order.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    public override string Key => Keys.Table(Name);

    public override ObjectKind Kind => ObjectKind.Table;

    public override string Display => "table " + Name.Display;

    public override string Schema => Name.Schema;

    public override string? DroppedWith => PartitionOf is { } parent ? Keys.Table(parent) : null;

    public override string Definition => string.Join("\n",
        PartitionKey ?? "", PartitionOf?.Quoted ?? "", PartitionBound ?? "", string.Join(",", Inherits.Select(i => i.Quoted)),
        Unlogged ? "unlogged" : "", RowSecurity ? "rls" : "", ForceRowSecurity ? "force rls" : "", string.Join(",", Options.Order(StringComparer.Ordinal)));

    public override string CommentTarget => "TABLE " + Name.Quoted;

    public override string PrivilegeTarget => "TABLE " + Name.Quoted;
}
