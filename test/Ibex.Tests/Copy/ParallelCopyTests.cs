using Ibex.Copy;
using Ibex.Daemon;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Copy;

/// <summary>
/// One table copied as several ranges by sessions sharing the copy's snapshot, while the source is written (rows
/// inserted, updated, deleted, keys moved between ranges): every kind of table ends byte-equal to the source.
/// </summary>
public class ParallelCopyTests(SharedClusters clusters)
{
    [Fact]
    public async Task Tables_copied_in_ranges_under_writes_end_equal_to_the_source()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("""
            CREATE TABLE ints (id bigint PRIMARY KEY, v text NOT NULL, pad text NOT NULL);
            CREATE TABLE uuids (id uuid PRIMARY KEY, v text NOT NULL, pad text NOT NULL);
            CREATE TABLE pairs (a int, b int, v text NOT NULL, pad text NOT NULL, PRIMARY KEY (a, b));
            CREATE TABLE words (k text COLLATE "und-x-icu" PRIMARY KEY, v text NOT NULL, pad text NOT NULL);
            CREATE TABLE loose (n int NOT NULL, v text, pad text NOT NULL);
            ALTER TABLE loose REPLICA IDENTITY FULL;
            """);
        const int rows = 6000;
        await s.ExecAsync("src", $"""
            INSERT INTO ints SELECT g, 'v' || g, repeat('i', 200) FROM generate_series(1, {rows}) g;
            INSERT INTO uuids SELECT gen_random_uuid(), 'v' || g, repeat('u', 200) FROM generate_series(1, {rows}) g;
            INSERT INTO pairs SELECT g % 50, g, 'v' || g, repeat('p', 200) FROM generate_series(1, {rows}) g;
            -- Keys a collation orders otherwise than bytes: mixed case, accents, a dotless i.
            INSERT INTO words SELECT (ARRAY['a', 'B', 'é', 'E', 'Å', 'z', 'ı', 'İ'])[1 + g % 8] || g, 'v' || g, repeat('w', 200) FROM generate_series(1, {rows}) g;
            INSERT INTO loose SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'v' || (g % 100) END, repeat('l', 200) FROM generate_series(1, {rows}) g;
            INSERT INTO loose SELECT g, 'twin', repeat('l', 200) FROM generate_series(1, 20) g;
            """);
        // Slow the target's COPY down (an ALWAYS trigger fires under the copy's replica role), so writes land during it.
        await s.ExecAsync("dst", """
            CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.0002); RETURN NEW; END $$;
            DO $$ DECLARE t text; BEGIN FOREACH t IN ARRAY ARRAY['ints', 'uuids', 'pairs', 'words', 'loose'] LOOP
                EXECUTE format('CREATE TRIGGER slow BEFORE INSERT ON %I FOR EACH ROW EXECUTE FUNCTION slow()', t);
                EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER slow', t);
            END LOOP; END $$;
            """);
        await s.AddNodesAsync();
        var sync = "pc" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "ints,uuids,pairs,words,loose", "--source", "src", "--target", "dst")).ShouldSucceed();

        using var stop = new CancellationTokenSource();
        var writes = 0;
        var writer = Task.Run(async () =>
        {
            await using var conn = await s.OpenAsync("src");
            var random = new Random(7);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = random.Next(1, rows + 1);
                var sql = (i % 12) switch
                {
                    0 => $"UPDATE ints SET id = id + 1000000 WHERE id = {id}", // moves a row to the last range
                    1 => $"UPDATE ints SET v = 'u{i}' WHERE id = {id}",
                    2 => $"DELETE FROM ints WHERE id = {id}; INSERT INTO ints VALUES ({2000000 + i}, 'new', 'x')",
                    3 => $"UPDATE uuids SET v = 'u{i}' WHERE id = (SELECT id FROM uuids ORDER BY id OFFSET {id % 100} LIMIT 1); INSERT INTO uuids VALUES (gen_random_uuid(), 'new', 'x')",
                    4 => $"DELETE FROM uuids WHERE id = (SELECT id FROM uuids ORDER BY id DESC OFFSET {id % 100} LIMIT 1)",
                    5 => $"UPDATE pairs SET b = b + 1000000 WHERE a = {id % 50} AND b = {id}",
                    6 => $"DELETE FROM pairs WHERE a = {id % 50} AND b = {id}; INSERT INTO pairs VALUES ({i % 7}, {3000000 + i}, 'new', 'x')",
                    7 => $"UPDATE words SET k = 'Ö' || k WHERE k = (ARRAY['a', 'B', 'é', 'E', 'Å', 'z', 'ı', 'İ'])[1 + {id} % 8] || {id}",
                    8 => $"INSERT INTO words VALUES ('ä{i}', 'new', 'x'), ('A{i}', 'new', 'x')",
                    9 => $"UPDATE loose SET v = 'u{i}' WHERE n = {id}",
                    10 => $"DELETE FROM loose WHERE n = {id}; INSERT INTO loose VALUES ({id}, 'twin', 'x'), ({id}, 'twin', 'x')",
                    _ => $"UPDATE loose SET v = NULL WHERE n = {id % 20} AND v = 'twin'",
                };
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
                Interlocked.Increment(ref writes);
            }
        });
        s.StartDaemon(new DaemonOptions { Syncs = [sync], PollInterval = TimeSpan.FromSeconds(2), Copy = new CopyOptions { Jobs = 3, RangeBytes = 128 << 10 } });
        try
        {
            await Poll.UntilAsync(() => CountAsync(s, "SELECT count(*) FROM ibex.table_copy WHERE sync = $1 AND state = 'done'", sync), n => n == 5, 180,
                n => $"{n} of 5 tables copied\n{s.DaemonLog}");
            var during = Volatile.Read(ref writes);
            await Poll.UntilAsync(() => Task.FromResult((long)Volatile.Read(ref writes)), n => n > during + 50, 30, n => $"writer stalled at {n}");
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
        await s.WaitAsync(sync, 120);

        foreach (var table in new[] { "ints", "uuids", "pairs", "words", "loose" })
            (await CountAsync(s, "SELECT count(DISTINCT range_no) FROM ibex.table_copy_range WHERE sync = $1 AND table_name = $2 AND state = 'done'", sync, table))
                .ShouldBeGreaterThan(3, $"{table} is copied in several ranges");
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM ints WHERE id > 1000000")).ShouldBeGreaterThan(0, "keys moved between ranges");
        await s.ShouldMatchAsync("ints", "id", "src", "dst");
        await s.ShouldMatchAsync("uuids", "id", "src", "dst");
        await s.ShouldMatchAsync("pairs", "a, b", "src", "dst");
        await s.ShouldMatchAsync("words", "k", "src", "dst");
        await s.ShouldMatchAsync("loose", "t::text", "src", "dst");
    }

    static async Task<long> CountAsync(Scenario s, string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
            cmd.Parameters.Add(new() { Value = a });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
