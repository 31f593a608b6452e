using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A range type (CREATE TYPE … AS RANGE) and the multirange type that comes with it.</summary>
internal sealed record RangeTypeObject : SchemaObject
{
    public required QualifiedName Name { get; init; }

    /// <summary>The subtype as <c>format_type</c> writes it.</summary>
    public required string Subtype { get; init; }

    /// <summary>The subtype's operator class when it is not the default one, else null.</summary>
    public QualifiedName? Opclass { get; init; }

    /// <summary>The collation when it is not the subtype's default, else null.</summary>
    public QualifiedName? Collation { get; init; }

    public QualifiedName? Canonical { get; init; }

    public QualifiedName? SubtypeDiff { get; init; }

    /// <summary>The multirange type (PostgreSQL 14 and later), or null.</summary>
    public QualifiedName? Multirange { get; init; }

    public override string Key => Keys.Type(Name);

    public override ObjectKind Kind => ObjectKind.RangeType;

    public override string Display => "range type " + Name.Display;

    public override string Schema => Name.Schema;

    /// <summary>The options inside CREATE TYPE … AS RANGE (…).</summary>
    public IReadOnlyList<string> Options
    {
        get
        {
            var options = new List<string> { "SUBTYPE = " + Subtype };
            if (Opclass is { } opclass)
                options.Add("SUBTYPE_OPCLASS = " + opclass.Quoted);
            if (Collation is { } collation)
                options.Add("COLLATION = " + collation.Quoted);
            if (Canonical is { } canonical)
                options.Add("CANONICAL = " + canonical.Quoted);
            if (SubtypeDiff is { } diff)
                options.Add("SUBTYPE_DIFF = " + diff.Quoted);
            if (Multirange is { } multirange)
                options.Add("MULTIRANGE_TYPE_NAME = " + multirange.Quoted);
            return options;
        }
    }

    public override string Definition => string.Join(", ", Options);

    public override string CommentTarget => "TYPE " + Name.Quoted;

    public override string PrivilegeTarget => "TYPE " + Name.Quoted;
}
