namespace Ibex.Catalog;

/// <summary>One column of a table as the catalog describes it.</summary>
/// <param name="Name">The column name (unquoted).</param>
/// <param name="TypeOid">pg_type OID (differs between databases for user-defined types).</param>
/// <param name="TypeName">The type as <c>format_type</c> prints it, schema-qualified for user types: comparable between databases.</param>
/// <param name="NotNull">Declared NOT NULL.</param>
/// <param name="HasDefault">Has a default (or is an identity or generated column).</param>
/// <param name="Generated">A generated (stored) column: never written by replication.</param>
/// <param name="BinarySafe">Binary COPY of this column is portable between databases (no embedded type OIDs).</param>
public sealed record ColumnInfo(string Name, uint TypeOid, string TypeName, bool NotNull, bool HasDefault, bool Generated, bool BinarySafe)
{
    /// <summary>The default expression as pg_get_expr prints it (null when none, or for identity and generated columns).</summary>
    public string? DefaultExpression { get; init; }

    /// <summary>A GENERATED ALWAYS identity column: INSERT takes a value only with OVERRIDING SYSTEM VALUE, UPDATE none.</summary>
    public bool IdentityAlways { get; init; }
}
