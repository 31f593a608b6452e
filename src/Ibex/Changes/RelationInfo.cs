using Ibex.Sql;

namespace Ibex.Changes;

/// <summary>
/// A source relation as pgoutput described it in its last RELATION message: name, columns in the order row images
/// use, and which columns identify a row. A new instance replaces the old one whenever the source sends a new
/// description (after ALTER TABLE), so changes always carry the layout they were decoded with.
/// </summary>
/// <param name="Id">The source's relation OID.</param>
/// <param name="Version">Increases with every RELATION message for the same OID in one pipeline.</param>
/// <param name="Name">Source schema and table.</param>
/// <param name="Columns">Column names in row-image order.</param>
/// <param name="ColumnTypes">Source type OIDs in row-image order.</param>
/// <param name="KeyColumns">Indexes (into Columns) of the replica identity columns; empty with REPLICA IDENTITY FULL.</param>
/// <param name="IdentityFull">REPLICA IDENTITY FULL: old rows carry every column.</param>
public sealed record RelationInfo(uint Id, int Version, QualifiedName Name, IReadOnlyList<string> Columns, IReadOnlyList<uint> ColumnTypes, IReadOnlyList<int> KeyColumns, bool IdentityFull)
{
    /// <summary>
    /// Per column, the quoted, schema-qualified name of a user-defined type (from pgoutput's TYPE messages), or null for a
    /// built-in type. A value compared with such a column is cast to it: an untyped parameter compared with a composite
    /// column would be read as an anonymous record, which PostgreSQL cannot parse.
    /// </summary>
    public IReadOnlyList<string?>? UserTypeNames { get; init; }

    /// <summary>
    /// The parameter <c>$number</c> as compared with column <paramref name="column"/>: cast to its type when user-defined,
    /// or a reg* type (whose '=' is oid's, which would read the value's name as a number).
    /// </summary>
    public string Placeholder(int column, int number)
        => (UserTypeNames?[column] ?? RegTypes.GetValueOrDefault(ColumnTypes[column])) is { } type ? $"${number}::{type}" : $"${number}";

    // Built-in OIDs of the reg* types, the same in every PostgreSQL version.
    static readonly Dictionary<uint, string> RegTypes = new()
    {
        [24] = "pg_catalog.regproc", [2202] = "pg_catalog.regprocedure", [2203] = "pg_catalog.regoper", [2204] = "pg_catalog.regoperator",
        [2205] = "pg_catalog.regclass", [2206] = "pg_catalog.regtype", [3734] = "pg_catalog.regconfig", [3769] = "pg_catalog.regdictionary",
        [4089] = "pg_catalog.regnamespace", [4096] = "pg_catalog.regrole", [4191] = "pg_catalog.regcollation",
    };
}
