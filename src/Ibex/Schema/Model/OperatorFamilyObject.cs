using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>
/// An operator family (CREATE OPERATOR FAMILY) with its loose members: operators and functions added with ALTER
/// OPERATOR FAMILY … ADD rather than through an operator class.
/// </summary>
internal sealed record OperatorFamilyObject(QualifiedName Name, string Method, IReadOnlyList<string> Members) : SchemaObject
{
    /// <summary>The family as CREATE, DROP and COMMENT name it: <c>"s"."f" USING btree</c>.</summary>
    public string Target => Name.Quoted + " USING " + Ident.Quote(Method);

    public override string Key => "operator family " + Target;

    public override ObjectKind Kind => ObjectKind.OperatorFamily;

    public override string Display => "operator family " + Name.Display + " for access method " + Method;

    public override string Schema => Name.Schema;

    public override string Definition => string.Join("\n", Members);

    public override string CommentTarget => "OPERATOR FAMILY " + Target;
}
