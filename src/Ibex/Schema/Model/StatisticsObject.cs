using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>An extended statistics object (CREATE STATISTICS) on a table.</summary>
internal sealed record StatisticsObject : SchemaObject
{
    public required QualifiedName Name { get; init; }

    /// <summary>The key of the table the statistics are on (dropping the table drops them).</summary>
    public required string TableKey { get; init; }

    /// <summary><c>pg_get_statisticsobjdef</c> after <c>CREATE STATISTICS schema.name</c>: kinds, columns, table.</summary>
    public required string Body { get; init; }

    /// <summary>The statistics target when set (ALTER STATISTICS … SET STATISTICS), else null.</summary>
    public int? Target { get; init; }

    public override string Key => "statistics " + Name.Quoted;

    public override ObjectKind Kind => ObjectKind.Statistics;

    public override string Display => "statistics " + Name.Display;

    public override string Schema => Name.Schema;

    public override string ParentKey => TableKey;

    public override string Definition => Body + "\n" + Target;

    public override string CommentTarget => "STATISTICS " + Name.Quoted;
}
