using System.Globalization;
using System.Text.Json;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Import;

/// <summary>
/// Reads a Bucardo 5 control database (schema <c>bucardo</c>). Rows are read as <c>to_jsonb(row)</c>, so columns that
/// older or newer 5.x releases lack or add do not break the import.
/// </summary>
public static class BucardoReader
{
    const string Schema = "bucardo";

    /// <summary>Sync settings Ibex has no counterpart for, with Bucardo's defaults as JSON text (not listed when at the default).</summary>
    static readonly (string Column, string Default)[] UnmappedSyncSettings =
    [
        ("rebuild_index", "0"), ("priority", "0"), ("analyze_after_copy", "true"), ("vacuum_after_copy", "false"),
        ("strict_checking", "true"), ("overdue", "\"00:00:00\""), ("expired", "\"00:00:00\""), ("track_rates", "false"),
        ("lifetime", "null"), ("maxkicks", "0"), ("isolation_level", "null"), ("copyextra", "\"\""),
    ];

    public static async Task<BucardoCatalog> ReadAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conn);
        foreach (var table in new[] { "db", "dbmap", "goat", "herdmap", "sync" })
            if (!await ExistsAsync(conn, table, cancellationToken).ConfigureAwait(false))
                throw new IbexException($"--from database '{conn.Database}' holds no Bucardo control schema (table bucardo.{table} not found); point --from at the database 'bucardo install' created, usually named bucardo");

        var version = await ScalarAsync(conn, $"SELECT setting FROM {T("bucardo_config")} WHERE name = 'bucardo_version'", cancellationToken).ConfigureAwait(false) ?? "5";
        var dbs = (await RowsAsync(conn, $"SELECT to_jsonb(d) FROM {T("db")} d ORDER BY d.name", cancellationToken).ConfigureAwait(false)).Select(ToDb).ToList();
        var members = (await RowsAsync(conn, $"SELECT to_jsonb(m) FROM {T("dbmap")} m", cancellationToken).ConfigureAwait(false))
            .Select(m => (Group: Str(m, "dbgroup")!, Member: new BucardoMember(Str(m, "db")!, Str(m, "role") ?? "target", Int(m, "priority") ?? 0))).ToList();
        var relations = (await RowsAsync(conn, $"SELECT jsonb_build_object('herd', h.herd) || to_jsonb(g) FROM {T("herdmap")} h JOIN {T("goat")} g ON g.id = h.goat ORDER BY h.herd, h.priority DESC, g.schemaname, g.tablename", cancellationToken).ConfigureAwait(false))
            .Select(g => (Herd: Str(g, "herd")!, Relation: ToRelation(g))).ToList();
        var syncs = new List<BucardoSync>();
        foreach (var s in await RowsAsync(conn, $"SELECT to_jsonb(s) || jsonb_build_object('checktime_seconds', extract(epoch FROM s.checktime)::float8) FROM {T("sync")} s ORDER BY s.name", cancellationToken).ConfigureAwait(false))
        {
            var herd = Str(s, "herd");
            var group = Str(s, "dbs");
            syncs.Add(new BucardoSync(Str(s, "name")!)
            {
                Relgroup = herd,
                DbGroup = group,
                Members = [.. members.Where(m => m.Group == group).Select(m => m.Member)],
                Relations = [.. relations.Where(r => r.Herd == herd).Select(r => r.Relation)],
                Status = Str(s, "status") ?? "active",
                ConflictStrategy = Str(s, "conflict_strategy") ?? "bucardo_latest",
                OneTimeCopy = Int(s, "onetimecopy") ?? 0,
                DeleteMethod = Str(s, "deletemethod") ?? "delete",
                Autokick = Bool(s, "autokick") ?? true,
                CheckTimeSeconds = s.TryGetProperty("checktime_seconds", out var ct) && ct.ValueKind == JsonValueKind.Number ? ct.GetDouble() : null,
                Unmapped = [.. UnmappedSyncSettings.Where(u => s.TryGetProperty(u.Column, out var v) && v.GetRawText() != u.Default).Select(u => (u.Column, Text(s.GetProperty(u.Column))))],
            });
        }
        var unused = await RowsTextAsync(conn, $"SELECT h.name FROM {T("herd")} h WHERE NOT EXISTS (SELECT 1 FROM {T("sync")} s WHERE s.herd = h.name) ORDER BY 1", cancellationToken).ConfigureAwait(false);

        var codes = new List<BucardoCode>();
        if (await ExistsAsync(conn, "customcode", cancellationToken).ConfigureAwait(false) && await ExistsAsync(conn, "customcode_map", cancellationToken).ConfigureAwait(false))
            foreach (var c in await RowsAsync(conn, $"SELECT jsonb_build_object('name', c.name, 'whenrun', c.whenrun, 'status', c.status, 'syncs', coalesce(jsonb_agg(m.sync) FILTER (WHERE m.sync IS NOT NULL), '[]'), 'goats', coalesce(jsonb_agg(m.goat) FILTER (WHERE m.goat IS NOT NULL), '[]')) FROM {T("customcode")} c LEFT JOIN {T("customcode_map")} m ON m.code = c.id GROUP BY c.id ORDER BY c.name", cancellationToken).ConfigureAwait(false))
                codes.Add(new BucardoCode(Str(c, "name")!, Str(c, "whenrun") ?? "", Str(c, "status") ?? "active",
                    [.. c.GetProperty("syncs").EnumerateArray().Select(x => x.GetString()!)], [.. c.GetProperty("goats").EnumerateArray().Select(x => x.GetInt32())]));
        var names = await CustomAsync(conn, "customname", "newname", cancellationToken).ConfigureAwait(false);
        var cols = await CustomAsync(conn, "customcols", "clause", cancellationToken).ConfigureAwait(false);
        var triggers = await ExistsAsync(conn, "bucardo_custom_trigger", cancellationToken).ConfigureAwait(false)
            ? int.Parse(await ScalarAsync(conn, $"SELECT count(*)::text FROM {T("bucardo_custom_trigger")}", cancellationToken).ConfigureAwait(false) ?? "0", CultureInfo.InvariantCulture)
            : 0;
        return new BucardoCatalog(version, dbs, syncs, codes, names, cols) { UnusedRelgroups = unused, CustomTriggers = triggers };
    }

    static BucardoDb ToDb(JsonElement d) => new(Str(d, "name")!)
    {
        Type = Str(d, "dbtype") ?? "postgres",
        Host = Str(d, "dbhost"),
        Port = Str(d, "dbport"),
        DbName = Str(d, "dbname"),
        User = Str(d, "dbuser"),
        Password = Str(d, "dbpass"),
        Conn = Str(d, "dbconn"),
        Service = Str(d, "dbservice"),
        PassFile = Str(d, "pgpass"),
        Dsn = Str(d, "dbdsn"),
        Status = Str(d, "status") ?? "active",
        MakeDelta = Bool(d, "makedelta") ?? false,
        ServerSidePrepares = Bool(d, "server_side_prepares") ?? true,
    };

    static BucardoRelation ToRelation(JsonElement g) => new(Int(g, "id") ?? 0, Str(g, "schemaname")!, Str(g, "tablename")!, Str(g, "reltype") ?? "table")
    {
        ConflictStrategy = Str(g, "conflict_strategy"),
        MakeDelta = Str(g, "makedelta"),
        Autokick = Bool(g, "autokick"),
        RebuildIndex = Int(g, "rebuild_index"),
        Ghost = Bool(g, "ghost") ?? false,
        DeltaBypass = Bool(g, "delta_bypass") ?? false,
        StrictChecking = Bool(g, "strict_checking") ?? true,
        AnalyzeAfterCopy = Bool(g, "analyze_after_copy") ?? true,
        VacuumAfterCopy = Bool(g, "vacuum_after_copy") ?? true,
    };

    static async Task<List<BucardoCustom>> CustomAsync(NpgsqlConnection conn, string table, string column, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(conn, table, cancellationToken).ConfigureAwait(false))
            return [];
        var rows = await RowsAsync(conn, $"SELECT to_jsonb(c) FROM {T(table)} c ORDER BY c.id", cancellationToken).ConfigureAwait(false);
        return [.. rows.Where(r => Str(r, column) is { Length: > 0 }).Select(r => new BucardoCustom(Int(r, "goat") ?? 0, Str(r, column)!, Str(r, "db"), Str(r, "sync")))];
    }

    static string T(string table) => Ident.Quote(Schema, table);

    static async Task<bool> ExistsAsync(NpgsqlConnection conn, string table, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", conn);
        cmd.Parameters.Add(new() { Value = T(table) });
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    static async Task<string?> ScalarAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    static async Task<List<string>> RowsTextAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<string>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(r.GetString(0));
        return list;
    }

    static async Task<List<JsonElement>> RowsAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
        => [.. (await RowsTextAsync(conn, sql, cancellationToken).ConfigureAwait(false)).Select(Parse)];

    static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => v.GetRawText(),
    } : null;

    static int? Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    static bool? Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    static string Text(JsonElement v) => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
}
