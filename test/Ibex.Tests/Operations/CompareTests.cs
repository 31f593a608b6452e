using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ibex.Catalog;
using Ibex.Compare;
using Ibex.Control;
using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Operations;

public class CompareTests(SharedClusters clusters)
{
    [Fact]
    public async Task Compare_finds_exactly_the_differences_planted_in_a_million_rows_and_its_repair_sql_removes_them()
    {
        var setup = Stopwatch.StartNew();
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        const string create = """
            CREATE TABLE big (id bigint PRIMARY KEY, k int NOT NULL, note text, payload text);
            INSERT INTO big SELECT g, g % 1000, CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || g END, md5(g::text) FROM generate_series(1, 1000000) g;
            UPDATE big SET payload = repeat('0123456789abcdef', 65536) WHERE id = 500000;
            """;
        await Task.WhenAll(s.ExecAsync("src", create), s.ExecAsync("dst", create));
        await Task.WhenAll(s.ExecAsync("src", "VACUUM ANALYZE big"), s.ExecAsync("dst", "VACUUM ANALYZE big"));
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "big", "--tables", "big", "--source", "src", "--target", "dst", "--copy", "never")).ShouldSucceed();

        setup.Stop();

        // Identical tables: one summary per side, nothing else crosses the network.
        var clock = Stopwatch.StartNew();
        var same = await s.Ibex("compare", "big", "--json");
        clock.Stop();
        same.ExitCode.ShouldBe(0, same.Error + same.Output);
        var sameJson = JsonDocument.Parse(same.Output).RootElement;
        sameJson.GetProperty("rows_compared").GetInt64().ShouldBe(1_000_000);
        var bytesRead = sameJson.GetProperty("bytes_read").GetInt64();
        var tableBytes = await s.ScalarAsync<long>("dst", "SELECT sum(pg_column_size(t.*))::bigint FROM big t");
        var report = $"compare of two identical 1,000,000-row tables: {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s wall "
                     + $"({sameJson.GetProperty("elapsed_seconds").GetDouble().ToString("0.00", CultureInfo.InvariantCulture)} s in compare), "
                     + $"{bytesRead} bytes of results read vs {tableBytes} bytes to fetch the table (sum of pg_column_size)";
        TestContext.Current.SendDiagnosticMessage(report);
        bytesRead.ShouldBeLessThan(tableBytes / 10000);

        // Plant differences on the target: missing rows, extra rows (before, after and at the ends of the key range),
        // a value set to NULL, a NULL set to an empty string, an integer, and one character of a 1 MB text value.
        await s.ExecAsync("dst", """
            DELETE FROM big WHERE id IN (17, 424242, 999999);
            INSERT INTO big VALUES (0, 0, 'extra', 'e'), (-5, 5, NULL, 'e'), (1000001, 1, 'extra', NULL);
            UPDATE big SET note = NULL WHERE id = 101;
            UPDATE big SET note = '' WHERE id = 250;
            UPDATE big SET k = k + 1 WHERE id = 777;
            UPDATE big SET payload = overlay(payload placing 'X' from 524289 for 1) WHERE id = 500000;
            """);
        clock.Restart();
        var diff = await s.Ibex("compare", "big", "--json");
        clock.Stop();
        diff.ExitCode.ShouldBe(1, diff.Error + diff.Output);
        var json = JsonDocument.Parse(diff.Output).RootElement;
        var table = json.GetProperty("tables")[0];
        Keys(table, "missing_on_target").ShouldBe(["17", "424242", "999999"]);
        Keys(table, "extra_on_target").ShouldBe(["-5", "0", "1000001"]);
        Keys(table, "different").ShouldBe(["101", "250", "777", "500000"]);
        var changed = table.GetProperty("differences").EnumerateArray().Where(d => d.GetProperty("kind").GetString() == "different")
            .ToDictionary(d => d.GetProperty("key").GetProperty("id").GetString()!, d => string.Join(",", d.GetProperty("changed_columns").EnumerateArray().Select(c => c.GetString())));
        changed["101"].ShouldBe("note");
        changed["250"].ShouldBe("note");
        changed["777"].ShouldBe("k");
        changed["500000"].ShouldBe("payload");
        json.GetProperty("missing_on_target").GetInt64().ShouldBe(3);
        json.GetProperty("extra_on_target").GetInt64().ShouldBe(3);
        json.GetProperty("different").GetInt64().ShouldBe(4);
        var diffBytes = json.GetProperty("bytes_read").GetInt64();
        TestContext.Current.SendDiagnosticMessage($"compare finding 10 differing rows among 1,000,000: {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, "
                                                  + $"{diffBytes} bytes read (of which ~2 MB are the two versions of the 1 MB row), {json.GetProperty("queries").GetInt64()} queries");
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "compare-1m.txt"), $"{report}\nsetup (two 1M-row tables, sync add): {setup.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s\n"
            + $"compare finding 10 differences: {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, {diffBytes} bytes read\n");

        // The repair SQL, run by psql as an operator would, makes the target match. The report before it, as SQL
        // comments, names every row by key.
        var repair = await s.Ibex("compare", "big", "--repair-sql");
        repair.ExitCode.ShouldBe(1, repair.Error);
        repair.Output.ShouldContain("--   missing on target  (id)=(424242)");
        repair.Output.ShouldContain("--   extra on target    (id)=(-5)");
        repair.Output.ShouldContain("--   different          (id)=(500000) (columns payload)");
        repair.Output.ShouldContain("-- summary: 1 table comparison(s), 1000000 rows compared: 10 differing row(s) (3 missing on target, 3 extra on target, 4 different)");
        repair.Output.ShouldContain("DELETE FROM \"public\".\"big\" WHERE \"id\" = '0';");
        repair.Output.ShouldContain("INSERT INTO \"public\".\"big\" (\"id\", \"k\", \"note\", \"payload\") OVERRIDING SYSTEM VALUE VALUES ('17', '17', 'note 17', ");
        repair.Output.ShouldContain("UPDATE \"public\".\"big\" SET \"note\" = 'note 101' WHERE \"id\" = '101';");
        repair.Output.ShouldContain("UPDATE \"public\".\"big\" SET \"note\" = NULL WHERE \"id\" = '250';");
        await ApplySqlAsync(s, "dst", repair.Output);
        var after = await s.Ibex("compare", "big");
        after.ExitCode.ShouldBe(0, after.Output + after.Error);
        after.Output.ShouldContain("identical");
    }

    [Fact]
    public async Task Compare_handles_composite_uuid_and_text_keys_awkward_names_and_tables_without_a_key()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        const string create = """
            CREATE SCHEMA "Sales";
            CREATE TABLE "Sales"."Order Items" ("Region" text, "order id" uuid, line bigint, "qty""x" int, note text, PRIMARY KEY ("Region", "order id", line));
            INSERT INTO "Sales"."Order Items" SELECT 'r' || (g % 3), md5((g / 7)::text)::uuid, g, g % 13, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, 6000) g;
            CREATE TABLE by_text (code text PRIMARY KEY, v jsonb, at timestamptz);
            INSERT INTO by_text SELECT 'k' || g || CASE WHEN g % 50 = 0 THEN ' it''s, "odd"' ELSE '' END, jsonb_build_object('g', g), '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 minute' FROM generate_series(1, 3000) g;
            CREATE TABLE "by uuid" (id uuid PRIMARY KEY, amount numeric(12,2), b bytea);
            INSERT INTO "by uuid" SELECT md5(g::text)::uuid, g / 3.0, decode(md5(g::text), 'hex') FROM generate_series(1, 2000) g;
            CREATE TABLE keyless (a int, b text);
            ALTER TABLE keyless REPLICA IDENTITY FULL;
            INSERT INTO keyless SELECT g % 400, 'v' || (g % 400) FROM generate_series(1, 1200) g;
            """;
        await s.ExecAllAsync(create);
        await s.AddNodesAsync();
        await s.ExecAsync("b", """
            DELETE FROM "Sales"."Order Items" WHERE line = 4242;
            INSERT INTO "Sales"."Order Items" VALUES ('r9', '00000000-0000-0000-0000-000000000001', 1, 1, 'new');
            UPDATE "Sales"."Order Items" SET "qty""x" = -1 WHERE line = 10;
            DELETE FROM by_text WHERE code = 'k100 it''s, "odd"';
            UPDATE by_text SET v = '{"g": 7, "x": null}' WHERE code = 'k7';
            UPDATE by_text SET at = at + interval '1 microsecond' WHERE code = 'k8';
            UPDATE "by uuid" SET amount = NULL WHERE id = md5('5')::uuid;
            UPDATE "by uuid" SET b = '\x00' WHERE id = md5('6')::uuid;
            DELETE FROM keyless WHERE ctid = (SELECT ctid FROM keyless WHERE a = 5 LIMIT 1);
            INSERT INTO keyless VALUES (9999, 'new'), (1, 'v1');
            """);

        var r = await s.Ibex("compare", "--nodes", "a,b", "--tables", "\"Sales\".*", "--tables", "public.*", "--json");
        r.ExitCode.ShouldBe(1, r.Error + r.Output);
        var tables = JsonDocument.Parse(r.Output).RootElement.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("table").GetString()!);
        tables.Keys.Order().ShouldBe(["Order Items", "by uuid", "by_text", "keyless"]);

        var items = tables["Order Items"];
        items.GetProperty("key_columns").EnumerateArray().Select(c => c.GetString()).ShouldBe(["Region", "order id", "line"]);
        Descriptions(items, "missing_on_target").ShouldBe([$"(\"Region\", \"order id\", line)=(r0, {Md5Uuid(4242 / 7)}, 4242)"]);
        Descriptions(items, "extra_on_target").ShouldBe(["(\"Region\", \"order id\", line)=(r9, 00000000-0000-0000-0000-000000000001, 1)"]);
        Descriptions(items, "different").ShouldBe([$"(\"Region\", \"order id\", line)=(r1, {Md5Uuid(10 / 7)}, 10)"]);

        var byText = tables["by_text"];
        Keys(byText, "missing_on_target", "code").ShouldBe(["k100 it's, \"odd\""]);
        Keys(byText, "different", "code").ShouldBe(["k7", "k8"]);
        var byUuid = tables["by uuid"];
        Keys(byUuid, "different", "id").ShouldBe(new[] { Md5Uuid(5), Md5Uuid(6) }.Order(StringComparer.Ordinal).ToArray());

        var keyless = tables["keyless"];
        keyless.GetProperty("notes").EnumerateArray().Single().GetString()!.ShouldContain("compared by whole rows");
        keyless.GetProperty("missing_on_target").GetInt64().ShouldBe(1);
        keyless.GetProperty("extra_on_target").GetInt64().ShouldBe(2);
        Descriptions(keyless, "missing_on_target").ShouldBe(["(5, v5)"]);
        Descriptions(keyless, "extra_on_target").Order().ShouldBe(["(1, v1)", "(9999, new)"]);

        var repair = await s.Ibex("compare", "--nodes", "a,b", "--tables", "\"Sales\".*,public.*", "--repair-sql");
        repair.ExitCode.ShouldBe(1);
        await ApplySqlAsync(s, "b", repair.Output);
        var again = await s.Ibex("compare", "--nodes", "a,b", "--tables", "\"Sales\".*", "--tables", "public.*");
        again.ExitCode.ShouldBe(0, again.Output + again.Error);
        (await s.RowsAsync("b", "keyless", "a, b")).ShouldBe(await s.RowsAsync("a", "keyless", "a, b"));
    }

    [Fact]
    public async Task Compare_waits_for_the_sync_and_reports_rows_that_were_still_being_applied_as_in_flight()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)");
        await s.ExecAsync("src", "INSERT INTO t SELECT g, 0 FROM generate_series(1, 2000) g");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "fly", "--tables", "t", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync("fly");

        // Hold a row lock on the target so the applier stops at that row while the source moves on.
        await using var blocker = await s.OpenAsync("dst");
        await using var tx = await blocker.BeginTransactionAsync(ct);
        await blocker.ExecAsync("SELECT * FROM t WHERE id = 5 FOR UPDATE");
        await s.ExecAsync("src", "BEGIN; UPDATE t SET v = 1 WHERE id = 5; INSERT INTO t VALUES (2001, 1); COMMIT;");
        await Poll.UntilAsync(() => s.ScalarAsync<long>("dst", "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"),
            n => n > 0, 30, n => "the applier never blocked on the row lock\n" + s.DaemonLog);

        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new List<string>();
        await using var control = ControlDatabase.Open(s.ControlDsn);
        var runner = new CompareRunner(control, new Ibex.Compare.CompareOptions
        {
            Sync = "fly",
            Progress = line =>
            {
                lock (lines)
                    lines.Add(line);
                if (line.StartsWith("waiting", StringComparison.Ordinal))
                    waiting.TrySetResult();
            },
        });
        var comparing = runner.RunAsync(ct);
        await Task.WhenAny(waiting.Task, comparing);
        waiting.Task.IsCompleted.ShouldBeTrue($"compare did not wait for the sync: {string.Join(" | ", lines)}");
        await tx.RollbackAsync(ct);
        var result = await comparing;
        result.Identical.ShouldBeTrue(string.Join("\n", result.Tables.SelectMany(t => t.Differences).Select(d => d.ToString())));
        var table = result.Tables.Single();
        table.InFlight.Select(d => (d.Kind, d.Key.Values[0])).OrderBy(x => x.Item2, StringComparer.Ordinal)
            .ShouldBe([(DifferenceKind.MissingOnTarget, "2001"), (DifferenceKind.Different, "5")]);
        result.InFlight.ShouldBe(2);

        var text = await s.Ibex("compare", "fly");
        text.ExitCode.ShouldBe(0, text.Output + text.Error);
        text.Output.ShouldContain("0 in flight");
    }

    [Fact]
    public async Task Compare_without_a_sync_or_nodes_or_tables_is_a_usage_error()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a");
        await s.AddNodesAsync();
        (await s.Ibex("compare")).ExitCode.ShouldBe(2);
        var r = await s.Ibex("compare", "--nodes", "a");
        r.ExitCode.ShouldBe(2);
        r.Error.ShouldContain("two or more nodes");
        (await s.Ibex("compare", "--nodes", "a,a", "--tables", "x")).ExitCode.ShouldBe(2);
        var tables = await s.Ibex("compare", "--nodes", "a,b");
        tables.ExitCode.ShouldBe(2);
        tables.Error.ShouldContain("--tables");
        (await s.Ibex("compare", "nosuchsync")).ShouldFail("unknown sync 'nosuchsync'");
    }

    static string[] Keys(JsonElement table, string kind, string column = "id")
        => [.. table.GetProperty("differences").EnumerateArray().Where(d => d.GetProperty("kind").GetString() == kind)
            .Select(d => d.GetProperty("key").GetProperty(column).GetString()!)];

    static string[] Descriptions(JsonElement table, string kind)
        => [.. table.GetProperty("differences").EnumerateArray().Where(d => d.GetProperty("kind").GetString() == kind).Select(d => d.GetProperty("description").GetString()!)];

    static string Md5Uuid(int n)
    {
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture))));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    /// <summary>Runs a repair script on a node: with psql -v ON_ERROR_STOP=1 when it is installed, as an operator would, else through Npgsql.</summary>
    static async Task ApplySqlAsync(Scenario s, string node, string sql)
    {
        var psql = new[] { "/usr/bin/psql", Path.Combine(Local.PostgresBinaries.Require(), "psql") }.FirstOrDefault(File.Exists);
        if (psql is null)
        {
            await using var conn = await s.OpenAsync(node);
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            return;
        }
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, sql, TestContext.Current.CancellationToken);
            var psi = new ProcessStartInfo(psql) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", s.Dsn(node), "-f", file })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            p.ExitCode.ShouldBe(0, $"psql failed: {await stderr}{await stdout}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
