using System.Text.Json;
using System.Text.RegularExpressions;
using Ibex.Changes;
using Ibex.Sql;

namespace Ibex.Capture;

/// <summary>
/// Reads the payload of an <c>ibex_ddl</c> logical decoding message (JSON written by the source's event trigger,
/// <c>Setup/DdlCaptureSql</c>) into a <see cref="DdlItem"/> for one publication: null when the statement does not
/// touch that publication's sync (every slot of the node decodes every message).
/// </summary>
public static partial class DdlMessage
{
    /// <summary>Prefix of the logical decoding messages carrying DDL.</summary>
    public const string Prefix = "ibex_ddl";

    public static DdlItem? Parse(string json, string publication)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (!root.GetProperty("pubs").EnumerateArray().Any(p => p.GetString() == publication))
            return null;
        var sql = root.GetProperty("sql").GetString()!.Trim().TrimEnd(';').TrimEnd();
        return new DdlItem(sql, root.GetProperty("tag").GetString()!, root.GetProperty("search_path").GetString()!, root.GetProperty("role").GetString()!, !NeedsOwnTransaction(sql))
        {
            Created = Names(root, "created", publication, "schema", "name"),
            Dropped = Names(root, "dropped", publication, "schema", "name"),
            Renamed = [.. Names(root, "renamed", publication, "schema", "name").Zip(Names(root, "renamed", publication, "to_schema", "to_name"))],
        };
    }

    /// <summary>Statements PostgreSQL refuses inside a transaction block (the CONCURRENTLY forms).</summary>
    public static bool NeedsOwnTransaction(string sql) => Concurrently().IsMatch(sql);

    static List<QualifiedName> Names(JsonElement root, string list, string publication, string schema, string name)
        => [.. root.GetProperty(list).EnumerateArray().Where(e => e.GetProperty("pub").GetString() == publication)
            .Select(e => new QualifiedName(e.GetProperty(schema).GetString()!, e.GetProperty(name).GetString()!))];

    [GeneratedRegex(@"^\s*((CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\s+\w+)\s+CONCURRENTLY\b|ALTER\s+TABLE\b.*\bDETACH\s+PARTITION\b.*\bCONCURRENTLY\s*$)", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Concurrently();
}
