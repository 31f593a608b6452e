using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A rewrite rule on a table or view (CREATE RULE; not a view's own <c>_RETURN</c> rule).</summary>
internal sealed record RuleObject : SchemaObject
{
    public required QualifiedName Table { get; init; }

    public required string Name { get; init; }

    /// <summary>The key of the table or view the rule is on.</summary>
    public required string RelationKey { get; init; }

    /// <summary><c>pg_get_ruledef</c> after <c>CREATE RULE name AS</c>, without the trailing semicolon.</summary>
    public required string Body { get; init; }

    /// <summary>pg_rewrite.ev_enabled: O (origin, the default), D (disabled), R (replica) or A (always).</summary>
    public char Enabled { get; init; } = 'O';

    public override string Key => "rule " + Table.Quoted + "." + Ident.Quote(Name);

    public override ObjectKind Kind => ObjectKind.Rule;

    public override string Display => "rule " + DisplayName.Part(Name) + " on " + Table.Display;

    public override string Schema => Table.Schema;

    public override string ParentKey => RelationKey;

    public override string Definition => Body + "\n" + Enabled;

    public override string CommentTarget => "RULE " + Ident.Quote(Name) + " ON " + Table.Quoted;
}
