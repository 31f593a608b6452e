using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A user-defined aggregate (CREATE AGGREGATE), ordinary, ordered-set or hypothetical-set.</summary>
internal sealed record AggregateObject : SchemaObject
{
    public required QualifiedName Name { get; init; }

    /// <summary><c>pg_get_function_identity_arguments</c> (with <c>ORDER BY</c> for ordered-set aggregates); "" for <c>(*)</c>.</summary>
    public required string IdentityArguments { get; init; }

    /// <summary>The argument list as CREATE AGGREGATE takes it.</summary>
    public required string Arguments { get; init; }

    /// <summary>The options inside CREATE AGGREGATE's parentheses, in pg_dump's order (SFUNC, STYPE, …).</summary>
    public required IReadOnlyList<string> Options { get; init; }

    /// <summary>The aggregate as DROP, COMMENT and GRANT name it.</summary>
    public string Signature => Name.Quoted + "(" + (IdentityArguments.Length == 0 ? "*" : IdentityArguments) + ")";

    // Aggregates share pg_proc's name space with functions: one signature is one or the other.
    public override string Key => Keys.Function(Name, IdentityArguments);

    public override ObjectKind Kind => ObjectKind.Aggregate;

    public override string Display => "aggregate " + Name.Display + "(" + (IdentityArguments.Length == 0 ? "*" : IdentityArguments) + ")";

    public override string Schema => Name.Schema;

    public override string Definition => Arguments + "\n" + string.Join(", ", Options);

    public override string CommentTarget => "AGGREGATE " + Signature;

    public override string PrivilegeTarget => "FUNCTION " + Signature;
}
