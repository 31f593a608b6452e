using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A schema (namespace).</summary>
internal sealed record NamespaceObject(string Name) : SchemaObject
{
    public override string Key => Keys.Schema(Name);

    public override ObjectKind Kind => ObjectKind.Schema;

    public override string Display => "schema " + DisplayName.Part(Name);

    public override string Definition => "";

    public override string CommentTarget => "SCHEMA " + Ident.Quote(Name);

    public override string PrivilegeTarget => "SCHEMA " + Ident.Quote(Name);
}
