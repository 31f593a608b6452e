using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>An operator class (CREATE OPERATOR CLASS) with its operators and support functions.</summary>
internal sealed record OperatorClassObject : SchemaObject
{
    public required QualifiedName Name { get; init; }

    public required string Method { get; init; }

    /// <summary>The indexed type, as <c>format_type</c> writes it.</summary>
    public required string Type { get; init; }

    public bool Default { get; init; }

    public required QualifiedName Family { get; init; }

    /// <summary>The STORAGE type when it differs from the indexed type, else null.</summary>
    public string? Storage { get; init; }

    /// <summary>OPERATOR and FUNCTION items as CREATE OPERATOR CLASS lists them, in order.</summary>
    public IReadOnlyList<string> Items { get; init; } = [];

    public string Target => Name.Quoted + " USING " + Ident.Quote(Method);

    public override string Key => "operator class " + Target;

    public override ObjectKind Kind => ObjectKind.OperatorClass;

    public override string Display => "operator class " + Name.Display + " for access method " + Method;

    public override string Schema => Name.Schema;

    public override string Definition => string.Join("\n", Type, Default, Family.Quoted, Storage, string.Join(", ", Items));

    public override string CommentTarget => "OPERATOR CLASS " + Target;
}
