using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A function or procedure (aggregates are <see cref="AggregateObject"/>).</summary>
internal sealed record FunctionObject : SchemaObject
{
    public required QualifiedName Name { get; init; }

    /// <summary>pg_proc.prokind: f (function), p (procedure) or w (window function).</summary>
    public required char ProcKind { get; init; }

    /// <summary><c>pg_get_function_identity_arguments</c>: what DROP and COMMENT need.</summary>
    public required string IdentityArguments { get; init; }

    /// <summary><c>pg_get_function_arguments</c>: names, modes and defaults.</summary>
    public required string Arguments { get; init; }

    /// <summary><c>pg_get_function_result</c>, or null for procedures.</summary>
    public string? Result { get; init; }

    /// <summary>
    /// <c>pg_get_functiondef</c> after <c>CREATE OR REPLACE FUNCTION schema.name(</c>: the arguments, RETURNS,
    /// LANGUAGE, attributes and body.
    /// </summary>
    public required string Body { get; init; }

    public bool IsProcedure => ProcKind == 'p';

    public string Signature => Name.Quoted + "(" + IdentityArguments + ")";

    public override string Key => Keys.Function(Name, IdentityArguments);

    public override ObjectKind Kind => ObjectKind.Function;

    public override string Display => (IsProcedure ? "procedure " : "function ") + Name.Display + "(" + IdentityArguments + ")";

    public override string Schema => Name.Schema;

    public override string Definition => ProcKind + "\n" + Body;

    public override string CommentTarget => (IsProcedure ? "PROCEDURE " : "FUNCTION ") + Signature;

    public override string PrivilegeTarget => (IsProcedure ? "PROCEDURE " : "FUNCTION ") + Signature;
}
