using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>An index that no constraint owns, on a table or materialized view.</summary>
internal sealed record IndexObject : SchemaObject
{
    /// <summary>The index name (its schema is the table's).</summary>
    public required QualifiedName Name { get; init; }

    public required QualifiedName Table { get; init; }

    /// <summary>The key of the table or materialized view the index is on.</summary>
    public required string RelationKey { get; init; }

    public bool Unique { get; init; }

    /// <summary>
    /// <c>pg_get_indexdef</c> from <c>USING</c> on: method, keys, INCLUDE, WITH, WHERE. The head (name and table) is
    /// rebuilt with quoted names.
    /// </summary>
    public required string Body { get; init; }

    /// <summary>True for an index on a partitioned table (cannot be built CONCURRENTLY).</summary>
    public bool OnPartitionedTable { get; init; }

    public bool Valid { get; init; } = true;

    public override string Key => Keys.Index(Name);

    public override ObjectKind Kind => ObjectKind.Index;

    public override string Display => "index " + Name.Display;

    public override string Schema => Name.Schema;

    public override string ParentKey => RelationKey;

    public override string Definition => (Unique ? "unique " : "") + Table.Quoted + " " + Body + (Valid ? "" : " (invalid)");

    public override string CommentTarget => "INDEX " + Name.Quoted;
}
