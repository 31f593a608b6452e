using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>An attribute of a composite type. <see cref="Collation"/> is set only when it differs from the type's default.</summary>
internal sealed record TypeAttribute(string Name, string Type, QualifiedName? Collation)
{
    public override string ToString() => $"{Ident.Quote(Name)} {Type}{(Collation is { } c ? " COLLATE " + c.Quoted : "")}";
}
