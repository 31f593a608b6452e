using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A view or materialized view.</summary>
internal sealed record ViewObject : SchemaObject
{
    public required QualifiedName Name { get; init; }

    public bool Materialized { get; init; }

    /// <summary><c>pg_get_viewdef</c> without the trailing semicolon.</summary>
    public required string Query { get; init; }

    /// <summary>reloptions such as <c>security_barrier=true</c>, <c>check_option=local</c>, in catalog order.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    public IReadOnlyList<ViewColumn> Columns { get; init; } = [];

    public override string Key => Keys.View(Name, Materialized);

    public override ObjectKind Kind => Materialized ? ObjectKind.MaterializedView : ObjectKind.View;

    public override string Display => (Materialized ? "materialized view " : "view ") + Name.Display;

    public override string Schema => Name.Schema;

    public override string Definition => string.Join(",", Options.Order(StringComparer.Ordinal)) + "\n" + Query;

    public override string CommentTarget => (Materialized ? "MATERIALIZED VIEW " : "VIEW ") + Name.Quoted;

    public override string PrivilegeTarget => "TABLE " + Name.Quoted;
}
