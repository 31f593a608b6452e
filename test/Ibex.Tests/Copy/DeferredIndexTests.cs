using System.Text;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Copy;

/// <summary>
/// Indexes after the data: a copy into an empty target drops the target table's plain indexes and builds them after
/// the data; the target ends with exactly the schema it had, even when the daemon is killed before or after the copy
/// commits.
/// </summary>
public class DeferredIndexTests(SharedClusters clusters)
{
    [Fact]
    public async Task Plain_indexes_are_built_after_the_data_and_the_target_ends_with_the_sources_schema()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync("""
            CREATE SCHEMA app;
            CREATE TABLE app.items (id bigint PRIMARY KEY, code text NOT NULL, name text, price numeric, tags text[], CONSTRAINT items_code_key UNIQUE (code));
            CREATE INDEX items_name ON app.items (name);
            CREATE INDEX "Items By Lower Name" ON app.items (lower(name)) WHERE price > 0;
            CREATE INDEX items_tags ON app.items USING gin (tags);
            CREATE INDEX items_price ON app.items (price DESC NULLS LAST) WITH (fillfactor = 70);
            CREATE UNIQUE INDEX items_code_name ON app.items (code, name);
            CREATE INDEX items_commented ON app.items (price, id);
            COMMENT ON INDEX app.items_commented IS 'stays in place';
            """);
        await s.ExecAsync("a", "INSERT INTO app.items SELECT g, 'c' || g, 'Name ' || (g % 977), g % 100, ARRAY['t' || (g % 7)] FROM generate_series(1, 20000) g");
        await s.AddNodesAsync();
        var sync = "di" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "app.items", "--source", "a", "--target", "b")).ShouldSucceed();
        s.StartDaemon(sync);
        await s.WaitAsync(sync);

        s.DaemonLog.ShouldContain("app.items on 'b': 4 index(es) dropped until the data is in: Items By Lower Name, items_name, items_price, items_tags");
        s.DaemonLog.ShouldContain("on 'b': 4 index(es) built after the data in ");
        await ShouldHaveTheSourcesSchemaAsync(s, "app.items");
        await s.ShouldMatchAsync("app.items", "id", "a", "b");
    }

    [Fact]
    public async Task A_daemon_killed_before_or_after_the_copy_commits_still_leaves_every_index()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync(Holder.Sql("big", 20_000) + "CREATE INDEX big_pad ON big (pad); CREATE INDEX big_pad_id ON big (pad, id);");
        await s.ExecAsync("a", "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 100000) g");
        await s.AddNodesAsync();
        var sync = "dk" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "big", "--source", "a", "--target", "b")).ShouldSucceed();
        await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        var log = new StringBuilder();
        await using var hold = await Holder.HoldAsync(s, "b");

        // 1. Killed while the copy is held, before it commits: the drop is undone with the rest of the copy.
        var daemon = DaemonProcess.Start(s.ControlDsn, log);
        await HeldAsync(hold, log);
        (await control.ScalarAsync<long>("SELECT count(*) FROM ibex.deferred_index")).ShouldBe(2);
        await daemon.KillAsync();
        await daemon.DisposeAsync();
        await EndOtherSessionsAsync(hold);
        (await IndexesAsync(hold)).ShouldBe(3);

        // 2. Killed after the copy committed, while its indexes wait to be built (a lock the test takes holds them).
        daemon = DaemonProcess.Start(s.ControlDsn, log);
        await HeldAsync(hold, log);
        await using var blocker = await s.OpenAsync("b");
        await blocker.ExecAsync("BEGIN");
        var locked = blocker.ExecAsync("LOCK TABLE big IN ROW EXCLUSIVE MODE");
        await Poll.UntilAsync(() => hold.ScalarAsync<long>(ThisDatabase + "relation = 'big'::regclass AND mode = 'RowExclusiveLock' AND NOT granted"),
            n => n == 1, 30, n => $"lock requests waiting: {n}");
        await hold.ExecAsync($"SELECT pg_advisory_unlock({Holder.LockKey})");
        await locked.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => hold.ScalarAsync<long>(ThisDatabase + "relation = 'big'::regclass AND mode = 'ShareLock' AND NOT granted"),
            n => n >= 1, 60, n => $"index builds waiting: {n}\n{log}");
        (await control.ScalarAsync<string>("SELECT state FROM ibex.table_copy")).ShouldBe("done");
        await daemon.KillAsync();
        await daemon.DisposeAsync();
        await EndOtherSessionsAsync(hold, blocker);
        await blocker.ExecAsync("COMMIT");
        (await IndexesAsync(hold)).ShouldBe(1, "only the key is left on the target");
        (await hold.ScalarAsync<long>("SELECT count(*) FROM big")).ShouldBe(100_000);

        // 3. The next start builds what is missing before anything else.
        daemon = DaemonProcess.Start(s.ControlDsn, log);
        try
        {
            await Poll.UntilAsync(() => control.ScalarAsync<long>("SELECT count(*) FROM ibex.deferred_index"), n => n == 0, 60, n => $"{n} index(es) still recorded\n{log}");
            var r = await s.Ibex("wait", sync, "--timeout", "60");
            r.ExitCode.ShouldBe(0, $"{r.Error}\n{log}");
        }
        finally
        {
            await daemon.StopAsync();
            await daemon.DisposeAsync();
        }
        log.ToString().ShouldContain("was interrupted after dropping 2 index(es)");
        (await IndexesAsync(hold)).ShouldBe(3);
        await ShouldHaveTheSourcesSchemaAsync(s, "big");
        await s.ShouldMatchAsync("big", "id", "a", "b");
    }

    // pg_locks covers the whole server (shared by other tests), and a relation's oid is only unique within its database.
    const string ThisDatabase = "SELECT count(*) FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ";

    // The copy is stopped at the trigger: one session waits on the test's advisory lock.
    static Task HeldAsync(NpgsqlConnection hold, StringBuilder log)
        => Poll.UntilAsync(() => hold.ScalarAsync<long>(Holder.WaitingSql), n => n == 1, 60, n => $"held copies: {n}\n{log}");

    // The server ends a dead client's sessions once it notices; these wait on locks, so the test ends them.
    static async Task EndOtherSessionsAsync(NpgsqlConnection hold, NpgsqlConnection? keep = null)
    {
        var keepPid = keep?.ProcessID ?? 0;
        await hold.ExecAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> $1 AND backend_type = 'client backend'", keepPid);
        await Poll.UntilAsync(() => hold.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> $1 AND backend_type = 'client backend'", keepPid),
            n => n == 0, 30, n => $"{n} session(s) left");
    }

    static Task<long> IndexesAsync(NpgsqlConnection conn)
        => conn.ScalarAsync<long>("SELECT count(*) FROM pg_index WHERE indrelid = 'big'::regclass AND indisvalid AND indisready");

    static async Task ShouldHaveTheSourcesSchemaAsync(Scenario s, string table)
    {
        var diff = await s.Ibex("schema", "diff", "--from", s.Dsn("a"), "--to", s.Dsn("b"), "--exit-code");
        diff.ExitCode.ShouldBe(0, diff.Output + diff.Error);
        const string invalid = "SELECT count(*) FROM pg_index WHERE indrelid = $1::regclass AND NOT (indisvalid AND indisready)";
        (await s.ScalarAsync<long>("b", invalid, table)).ShouldBe(0);
        var count = "SELECT count(*) FROM pg_index WHERE indrelid = $1::regclass";
        (await s.ScalarAsync<long>("b", count, table)).ShouldBe(await s.ScalarAsync<long>("a", count, table));
    }
}
