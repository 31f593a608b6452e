using System.Text;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Copy;

/// <summary>
/// A real daemon SIGKILLed at several points of a large table's copy (while the source is written): each start goes
/// on with the ranges not done instead of starting again, and the target ends byte-equal to the source.
/// </summary>
public class ResumableCopyTests(SharedClusters clusters)
{
    const int Rows = 20_000;
    const int Jobs = 2;

    [Fact]
    public async Task A_copy_killed_three_times_resumes_with_the_ranges_not_done_and_ends_equal()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("""
            CREATE TABLE big (id bigint PRIMARY KEY, v text NOT NULL, pad text NOT NULL);
            CREATE TABLE notes (n int NOT NULL, v text, pad text NOT NULL);
            ALTER TABLE notes REPLICA IDENTITY FULL;
            """);
        await s.ExecAsync("src", $"""
            INSERT INTO big SELECT g, 'v' || g, repeat('b', 500) FROM generate_series(1, {Rows}) g;
            INSERT INTO notes SELECT g, 'v' || g, repeat('n', 500) FROM generate_series(1, 4000) g;
            """);
        // About 1 ms per row on the target: the copy takes seconds, so every kill lands inside it.
        await s.ExecAsync("dst", """
            CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$;
            CREATE TRIGGER slow BEFORE INSERT ON big FOR EACH ROW EXECUTE FUNCTION slow();
            ALTER TABLE big ENABLE ALWAYS TRIGGER slow;
            CREATE TRIGGER slow BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION slow();
            ALTER TABLE notes ENABLE ALWAYS TRIGGER slow;
            """);
        await s.AddNodesAsync();
        var sync = "rc" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "big,notes", "--source", "src", "--target", "dst")).ShouldSucceed();
        var size = await s.ScalarAsync<long>("src", "SELECT pg_relation_size('big')");

        using var stop = new CancellationTokenSource();
        var inserts = 0;
        var writer = Task.Run(async () =>
        {
            await using var conn = await s.OpenAsync("src");
            var random = new Random(11);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = random.Next(1, Rows + 1);
                var sql = (i % 5) switch
                {
                    0 => $"UPDATE big SET id = id + 1000000 WHERE id = {id}", // a key moved into the last range
                    1 => $"UPDATE big SET v = 'u{i}' WHERE id = {id}",
                    2 => $"DELETE FROM big WHERE id = {id}",
                    3 => $"INSERT INTO big VALUES ({2_000_000 + i}, 'new', 'x')",
                    _ => $"UPDATE notes SET v = 'u{i}' WHERE n = {id % 4000}",
                };
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
                if (i % 5 == 3)
                    Interlocked.Increment(ref inserts);
                await Task.Delay(5);
            }
        });
        var environment = new Dictionary<string, string?> { ["IBEX_CONTROL"] = s.ControlDsn, ["IBEX_COPY_RANGE_MB"] = "1", ["IBEX_COPY_JOBS"] = Jobs.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var log = new StringBuilder();
        var daemon = DaemonProcess.Start(environment, log);
        var kills = 0;
        try
        {
            foreach (var fraction in new[] { 0.2, 0.45, 0.7 })
            {
                // Kill once the copy (in whichever run) has reached this share of the table.
                await Poll.UntilAsync(() => ControlAsync<long>(s, "SELECT coalesce(max(bytes_copied), 0) FROM ibex.table_copy WHERE sync = $1 AND table_name = 'big' AND state = 'copying'", sync),
                    b => b >= size * fraction, 120, b => $"copy of big at {b} of {size} bytes\n{log}");
                await daemon.KillAsync();
                await daemon.DisposeAsync();
                kills++;
                daemon = DaemonProcess.Start(environment, log);
            }
            await Poll.UntilAsync(() => ControlAsync<long>(s, "SELECT count(*) FROM ibex.table_copy WHERE sync = $1 AND state = 'done'", sync), n => n == 2, 180, n => $"{n} of 2 tables copied\n{log}");
            await stop.CancelAsync();
            await writer;
            var r = await s.Ibex("wait", sync, "--timeout", "120");
            r.ExitCode.ShouldBe(0, $"{r.Error}\n--- daemon log ---\n{log}");
        }
        finally
        {
            await stop.CancelAsync();
            await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            await daemon.DisposeAsync();
        }

        // Rows written into the target's table: the copy once, plus at most the ranges in flight at each kill, plus the
        // streamed inserts. A copy started again from zero at each kill would have written the table about twice.
        var ranges = (long)Math.Ceiling(size / (double)(1 << 20));
        var written = await Poll.UntilAsync(() => s.ScalarAsync<long>("dst", "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'big'"), n => n >= Rows, 30, n => $"n_tup_ins {n}");
        written.ShouldBeLessThan(Rows + Volatile.Read(ref inserts) + (kills * Jobs * (Rows / ranges + 1)) + 1000, $"rows written into big on dst (ranges {ranges})\n{log}");
        (await ControlAsync<long>(s, "SELECT count(*) FROM ibex.table_copy_range WHERE sync = $1 AND table_name = 'big'", sync)).ShouldBeInRange(ranges, ranges + 1, "the table grows a little while it is planned");
        (await ControlAsync<long>(s, "SELECT count(DISTINCT copy_lsn) FROM ibex.table_copy_range WHERE sync = $1 AND table_name = 'big'", sync))
            .ShouldBeGreaterThan(1, "big's ranges were copied by more than one run");
        log.ToString().ShouldContain("resuming the copy of public.big");
        await s.ShouldMatchAsync("big", "id", "src", "dst");
        await s.ShouldMatchAsync("notes", "t::text", "src", "dst");
    }

    static async Task<T> ControlAsync<T>(Scenario s, string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
            cmd.Parameters.Add(new() { Value = a });
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
