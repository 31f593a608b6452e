using Npgsql;

namespace Ibex.Schema.Reading;

/// <summary>Null-tolerant column getters for catalog rows.</summary>
internal static class RowExtensions
{
    public static string? StringOrNull(this NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    public static uint Oid(this NpgsqlDataReader row, int ordinal) => row.GetFieldValue<uint>(ordinal);

    public static char Char(this NpgsqlDataReader row, int ordinal) => row.GetFieldValue<char>(ordinal);

    public static string[] Strings(this NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? [] : row.GetFieldValue<string[]>(ordinal);
}
