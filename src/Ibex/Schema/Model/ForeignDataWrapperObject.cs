using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A foreign data wrapper made without an extension (CREATE FOREIGN DATA WRAPPER), database-wide.</summary>
/// <param name="Options">Generic options as the catalog keeps them (<c>name=value</c>).</param>
internal sealed record ForeignDataWrapperObject(string Name, QualifiedName? Handler, QualifiedName? Validator, IReadOnlyList<string> Options) : SchemaObject
{
    public override string Key => "foreign data wrapper " + Ident.Quote(Name);

    public override ObjectKind Kind => ObjectKind.ForeignDataWrapper;

    public override string Display => "foreign data wrapper " + DisplayName.Part(Name);

    public override string Definition => string.Join("\n", Handler?.Quoted, Validator?.Quoted, string.Join(",", Options));

    public override string CommentTarget => "FOREIGN DATA WRAPPER " + Ident.Quote(Name);

    public override string PrivilegeTarget => "FOREIGN DATA WRAPPER " + Ident.Quote(Name);
}
