using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>An enum type and its labels in sort order.</summary>
internal sealed record EnumObject(QualifiedName Name, IReadOnlyList<string> Labels) : SchemaObject
{
    public override string Key => Keys.Type(Name);

    public override ObjectKind Kind => ObjectKind.Enum;

    public override string Display => "type " + Name.Display;

    public override string Schema => Name.Schema;

    public override string Definition => string.Join(", ", Labels.Select(Ident.Literal));

    public override string CommentTarget => "TYPE " + Name.Quoted;

    public override string PrivilegeTarget => "TYPE " + Name.Quoted;
}
