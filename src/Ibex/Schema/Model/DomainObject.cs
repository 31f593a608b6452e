using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A domain: base type, collation, default, NOT NULL and CHECK constraints.</summary>
internal sealed record DomainObject(QualifiedName Name, string BaseType, QualifiedName? Collation, string? Default, bool NotNull, IReadOnlyList<DomainConstraint> Constraints) : SchemaObject
{
    public override string Key => Keys.Type(Name);

    public override ObjectKind Kind => ObjectKind.Domain;

    public override string Display => "domain " + Name.Display;

    public override string Schema => Name.Schema;

    public override string Definition => string.Join("\n",
        [BaseType, Collation?.Quoted ?? "", Default ?? "", NotNull ? "not null" : "",
         .. Constraints.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => $"{c.Name} {c.Check} {(c.Validated ? "" : "NOT VALID")}")]);

    public override string CommentTarget => "DOMAIN " + Name.Quoted;

    public override string PrivilegeTarget => "DOMAIN " + Name.Quoted;
}
