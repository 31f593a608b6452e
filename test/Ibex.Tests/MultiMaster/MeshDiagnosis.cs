using System.Text;
using Ibex.Tests.Infrastructure;
using Npgsql;

namespace Ibex.Tests.MultiMaster;

/// <summary>What the nodes of a multi-master test hold for the keys of table kv (k int) that differ between them.</summary>
public static class MeshDiagnosis
{
    /// <summary>
    /// With IBEX_MESH_HISTORY=1, every node logs each change of kv (writers' and Ibex's alike, in a local table that
    /// is not replicated) and a failed run prints the history of its differing keys: which session changed the row,
    /// when, in which transaction, and that transaction's replication origin.
    /// </summary>
    public static bool KeepsHistory => Environment.GetEnvironmentVariable("IBEX_MESH_HISTORY") == "1";

    public const string HistorySql = """
        CREATE TABLE kv_history (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(),
            x bigint NOT NULL DEFAULT txid_current(), pid int NOT NULL DEFAULT pg_backend_pid(),
            app text DEFAULT current_setting('application_name'), op text NOT NULL, old_k int, new_k int, old_row text, new_row text);
        CREATE FUNCTION kv_history_log() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO kv_history (op, old_k, new_k, old_row, new_row)
            VALUES (TG_OP, CASE WHEN TG_OP <> 'INSERT' THEN OLD.k END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.k END,
                    CASE WHEN TG_OP <> 'INSERT' THEN OLD::text END, CASE WHEN TG_OP <> 'DELETE' THEN NEW::text END);
            RETURN NULL;
        END $$;
        CREATE TRIGGER kv_history_trg AFTER INSERT OR UPDATE OR DELETE ON kv FOR EACH ROW EXECUTE FUNCTION kv_history_log();
        ALTER TABLE kv ENABLE ALWAYS TRIGGER kv_history_trg;
        """;

    static async Task<List<string>> LinesAsync(Scenario s, string node, string sql)
    {
        await using var conn = await s.OpenAsync(node);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await r.ReadAsync())
            lines.Add(r.IsDBNull(0) ? "" : r.GetString(0));
        return lines;
    }

    /// <summary>For a failed run: the first differing keys, each node's row with its version, tombstones and value tombstones, and the conflicts logged.</summary>
    public static async Task<string> DescribeAsync(Scenario s, string sync, IReadOnlyList<string> nodes, bool history = false)
    {
        var sb = new StringBuilder();
        var rows = new Dictionary<string, Dictionary<int, string>>();
        foreach (var n in nodes)
        {
            rows[n] = [];
            foreach (var line in await LinesAsync(s, n, "SELECT k || '|' || kv::text || ' @' || coalesce(x.timestamp::text, '?') || ' o' || coalesce(x.roident::text, '?') FROM kv LEFT JOIN LATERAL pg_xact_commit_timestamp_origin(kv.xmin) x ON true"))
                rows[n][int.Parse(line.Split('|')[0], System.Globalization.CultureInfo.InvariantCulture)] = line.Split('|')[1];
        }
        var keys = rows.Values.SelectMany(d => d.Keys).Distinct().Where(k => rows.Values.Select(d => d.TryGetValue(k, out var v) ? v.Split(" @")[0] : "-").Distinct().Count() > 1).Order().ToList();
        sb.AppendLine($"{keys.Count} differing keys: {string.Join(", ", keys)}");
        await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        foreach (var k in keys.Take(3))
        {
            sb.AppendLine($"key {k}:");
            foreach (var n in nodes)
            {
                sb.AppendLine($"  {n}: {(rows[n].TryGetValue(k, out var v) ? v : "(none)")}; origins {string.Join(", ", await LinesAsync(s, n, "SELECT roident || '=' || roname FROM pg_replication_origin"))}");
                sb.AppendLine($"     tombstones: {string.Join("; ", await LinesAsync(s, n, $"SELECT deleted_at::text || ' by ' || deleted_by FROM ibex_mm.tombstone WHERE key = '{{\"k\":\"{k}\"}}'"))}");
                sb.AppendLine($"     seen: {string.Join("; ", await LinesAsync(s, n, $"SELECT node || '@' || seen_at::text FROM ibex_mm.seen WHERE key = '{{\"k\":\"{k}\"}}'"))}");
            }
            var values = new HashSet<string>();
            foreach (var n in nodes)
                values.UnionWith(await LinesAsync(s, n, $"SELECT CASE WHEN EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'kv'::regclass AND attname = 'u') THEN (SELECT to_jsonb(kv)->>'u' FROM kv WHERE k = {k}) END"));
            values.Remove("");
            foreach (var n in nodes)
                foreach (var u in values)
                    sb.AppendLine($"     {n} value tombstones of {u}: {string.Join("; ", await LinesAsync(s, n, $"SELECT held_at::text || ' o' || held_by FROM ibex_mm.value_tombstone WHERE value->>'u' = '{u}' ORDER BY held_at"))}; held now by {string.Join(",", await LinesAsync(s, n, $"SELECT k::text FROM kv WHERE u = '{u}'"))}");
            if (history || KeepsHistory)
                foreach (var n in nodes)
                    sb.AppendLine($"     {n} history of the key and of rows holding its values:\n       {string.Join("\n       ", await LinesAsync(s, n, $"SELECT line FROM (SELECT h.id, h.id || ' ' || h.at::text || ' x' || h.x || ' pid' || h.pid || ' ' || coalesce(h.app, '') || ' ' || h.op || ' ' || coalesce(h.old_row, '-') || ' -> ' || coalesce(h.new_row, '-') || ' committed ' || coalesce(o.timestamp::text, '?') || ' o' || coalesce(o.roident::text, '?') AS line FROM kv_history h LEFT JOIN LATERAL pg_xact_commit_timestamp_origin((h.x % 4294967296)::text::xid) o ON true WHERE {k} IN (h.old_k, h.new_k){string.Concat(values.Select(u => $" OR h.old_row LIKE '%,{u},%' OR h.new_row LIKE '%,{u},%'"))} ORDER BY h.id DESC LIMIT 40) t ORDER BY id"))}");
            await using var c = new NpgsqlCommand($"SELECT string_agg(node || ' ' || kind || ' local=' || coalesce(local_origin,'?') || '@' || coalesce(local_commit_ts::text,'?') || ' ' || coalesce(local_row::text, '') || ' remote=' || remote_origin || '@' || coalesce(remote_commit_ts::text,'?') || ' ' || coalesce(remote_row::text, '') || ' -> ' || winner, E'\n    ' ORDER BY node, id) FROM (SELECT *, row_number() OVER (PARTITION BY node ORDER BY id DESC) AS nth FROM ibex.conflict WHERE key->>'k' = '{k}') c WHERE nth <= 8", control);
            sb.AppendLine($"  conflicts:\n    {await c.ExecuteScalarAsync()}");
        }
        return sb.ToString();
    }
}
