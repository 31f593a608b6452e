using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A column of a table (inherited columns of partitions and child tables belong to the parent).</summary>
internal sealed record ColumnObject : SchemaObject
{
    public required QualifiedName Table { get; init; }

    public required string Name { get; init; }

    /// <summary>attnum: the column order CREATE TABLE uses. Not compared (ADD COLUMN always appends).</summary>
    public int Position { get; init; }

    /// <summary><c>format_type</c> text, schema-qualified for user types.</summary>
    public required string Type { get; init; }

    /// <summary>Set only when it differs from the type's default collation.</summary>
    public QualifiedName? Collation { get; init; }

    public bool NotNull { get; init; }

    /// <summary>The default expression (not for generated columns).</summary>
    public string? Default { get; init; }

    /// <summary>True when the default calls a volatile function (adding such a column rewrites the table).</summary>
    public bool DefaultVolatile { get; init; }

    /// <summary><c>a</c> (ALWAYS) or <c>d</c> (BY DEFAULT) for identity columns, else null.</summary>
    public char? Identity { get; init; }

    public QualifiedName? IdentitySequence { get; init; }

    public SequenceOptions? IdentityOptions { get; init; }

    /// <summary>
    /// The enum, domain or composite type the column holds (directly or as an array), or null: such columns are
    /// converted, not dropped, when the type has to be created again.
    /// </summary>
    public QualifiedName? UserType { get; init; }

    public bool IsArray { get; init; }

    /// <summary>The expression of a generated column.</summary>
    public string? Generated { get; init; }

    /// <summary>True for a virtual generated column (PostgreSQL 18), computed when read instead of stored.</summary>
    public bool Virtual { get; init; }

    public override string Key => Keys.Column(Table, Name);

    public override ObjectKind Kind => ObjectKind.Column;

    public override string Display => "column " + DisplayName.Of(Table, Name);

    public override string Schema => Table.Schema;

    public override string ParentKey => Keys.Table(Table);

    public override string OrderKey => ParentKey + " #" + Position.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    public override string Definition => string.Join("\n",
        Type, Collation?.Quoted ?? "", NotNull ? "not null" : "", Default ?? "", Identity?.ToString() ?? "",
        IdentitySequence?.Quoted ?? "", IdentityOptions?.Render() ?? "", Generated ?? "", Virtual ? "virtual" : "");

    public override string CommentTarget => "COLUMN " + Table.Quoted + "." + Ident.Quote(Name);
}
