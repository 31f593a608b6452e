using Npgsql;

namespace Ibex.Schema.Reading;

/// <summary>Null-tolerant column getters for catalog rows.</summary>
internal static class RowExtensions
{
    public static string? StringOrNull(this NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    public static uint Oid(this NpgsqlDataReader row, int ordinal) => row.GetFieldValue<uint>(ordinal);

    public static char Char(this NpgsqlDataReader row, int ordinal) => row.GetFieldValue<char>(ordinal);

    /// <summary>A name read as <c>array[schema, name]</c> (null when the row has none).</summary>
    public static Ibex.Sql.QualifiedName? NameOrNull(this NpgsqlDataReader row, int ordinal)
        => row.Strings(ordinal) is [var schema, var name] ? new Ibex.Sql.QualifiedName(schema, name) : null;

    public static string[] Strings(this NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? [] : row.GetFieldValue<string[]>(ordinal);
}
