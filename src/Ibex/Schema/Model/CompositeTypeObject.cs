using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A stand-alone composite type (CREATE TYPE … AS (…)).</summary>
internal sealed record CompositeTypeObject(QualifiedName Name, IReadOnlyList<TypeAttribute> Attributes) : SchemaObject
{
    public override string Key => Keys.Type(Name);

    public override ObjectKind Kind => ObjectKind.CompositeType;

    public override string Display => "type " + Name.Display;

    public override string Schema => Name.Schema;

    public override string Definition => string.Join("\n", Attributes.Select(a => a.ToString()));

    public override string CommentTarget => "TYPE " + Name.Quoted;

    public override string PrivilegeTarget => "TYPE " + Name.Quoted;
}
