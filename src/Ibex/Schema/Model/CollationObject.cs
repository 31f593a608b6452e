using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A collation (CREATE COLLATION) with its provider and locale settings.</summary>
/// <param name="Provider">pg_collation.collprovider: c (libc), i (ICU) or d (database default).</param>
/// <param name="Locale">The ICU locale (null for libc).</param>
/// <param name="Rules">ICU tailoring rules (PostgreSQL 16 and later), or null.</param>
internal sealed record CollationObject(QualifiedName Name, char Provider, bool Deterministic, string? Collate, string? Ctype, string? Locale, string? Rules) : SchemaObject
{
    public override string Key => "collation " + Name.Quoted;

    public override ObjectKind Kind => ObjectKind.Collation;

    public override string Display => "collation " + Name.Display;

    public override string Schema => Name.Schema;

    public override string Definition => string.Join("\n", Provider, Deterministic, Collate, Ctype, Locale, Rules);

    public override string CommentTarget => "COLLATION " + Name.Quoted;
}
