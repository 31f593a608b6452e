using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Ddl;

/// <summary>
/// <c>--ddl replicate</c>, one source and one target, under a running write load: each statement reaches the target at
/// its place in the stream, and each test ends with compare clean and no schema difference.
/// </summary>
public class OneWayDdlTests(SharedClusters clusters)
{
    static async Task<(Scenario S, string Sync)> StartAsync(SharedClusters clusters, string prefix, string tables, params string[] targets)
    {
        var s = await Scenario.CreateAsync(clusters, ["src", .. targets]);
        var sync = DdlChecks.SyncName(s, prefix);
        await s.ExecAllAsync(tables);
        await s.AddNodesAsync();
        (await s.Ibex(["sync", "add", sync, "--tables", "public.*", "--source", "src", .. targets.SelectMany(t => new[] { "--target", t }), "--ddl", "replicate"])).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync, 120);
        return (s, sync);
    }

    [Fact]
    public async Task Column_type_and_index_changes_apply_in_order_under_load_rolled_back_DDL_never_does()
    {
        var (s, sync) = await StartAsync(clusters, "cols", "CREATE TABLE evt (id bigserial PRIMARY KEY, note text); CREATE TABLE item (id int PRIMARY KEY, v text)", "dst");
        await using var _ = s;
        await using var load = WriteLoad.Start(s, "src", "evt");
        await s.ExecAsync("src", "INSERT INTO item SELECT g, 'v' || g FROM generate_series(1, 20) g");

        await s.ExecAsync("src", "ALTER TABLE evt ADD COLUMN extra integer DEFAULT 7");
        await s.ExecAsync("src", "INSERT INTO evt (note, extra) VALUES ('with extra', 42)");
        await s.ExecAsync("src", "ALTER TABLE item RENAME COLUMN v TO w");
        await s.ExecAsync("src", "UPDATE item SET w = w || '!' WHERE id <= 5");
        await s.ExecAsync("src", "ALTER TABLE item ALTER COLUMN id TYPE bigint");
        await s.ExecAsync("src", "INSERT INTO item VALUES (5000000000, 'big')");
        await s.ExecAsync("src", "CREATE INDEX item_w ON item (w)");
        await s.ExecAsync("src", "CREATE INDEX CONCURRENTLY evt_note ON evt (note)");
        await s.ExecAsync("src", "DROP INDEX item_w");
        await s.ExecAsync("src", "ALTER TABLE item DROP COLUMN w");
        await s.ExecAsync("src", "INSERT INTO item VALUES (21)");

        // Rolled back: emitted nothing. DDL and DML of one transaction: applied together, the DDL first.
        await using (var conn = await s.OpenAsync("src"))
        {
            await using (var tx = await conn.BeginTransactionAsync(TestContext.Current.CancellationToken))
            {
                await conn.ExecAsync("ALTER TABLE evt ADD COLUMN never integer");
                await conn.ExecAsync("INSERT INTO evt (note, never) VALUES ('never', 1)");
                await tx.RollbackAsync(TestContext.Current.CancellationToken);
            }
            await using (var tx = await conn.BeginTransactionAsync(TestContext.Current.CancellationToken))
            {
                await conn.ExecAsync("ALTER TABLE item ADD COLUMN tag text");
                await conn.ExecAsync("UPDATE item SET tag = 'tagged' WHERE id <= 10");
                await conn.ExecAsync("INSERT INTO item VALUES (22, 'new')");
                await tx.CommitAsync(TestContext.Current.CancellationToken);
            }
        }

        await load.StopAsync();
        await s.WaitAsync(sync, 120);
        load.Writes.ShouldBeGreaterThan(0);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM evt WHERE extra = 42")).ShouldBe(1);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM item WHERE tag = 'tagged'")).ShouldBe(10);
        (await s.ScalarAsync<bool>("dst", "SELECT to_regclass('evt_note') IS NOT NULL AND to_regclass('item_w') IS NULL")).ShouldBeTrue();
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM information_schema.columns WHERE column_name = 'never'")).ShouldBe(0);
        await s.ShouldMatchAsync("evt", "id", "src", "dst");
        await s.ShouldMatchAsync("item", "id", "src", "dst");
        await DdlChecks.ShouldBeInSyncAsync(s, sync, "src", "public", "dst");
    }

    [Fact]
    public async Task Created_renamed_and_dropped_tables_are_followed_by_the_sync_under_load()
    {
        var (s, sync) = await StartAsync(clusters, "tabs", "CREATE TABLE evt (id bigserial PRIMARY KEY, note text); CREATE TABLE old (id int PRIMARY KEY)", "dst");
        await using var _ = s;
        await using var load = WriteLoad.Start(s, "src", "evt");
        await s.ExecAsync("src", "INSERT INTO old SELECT generate_series(1, 10)");

        // A table created in a covered schema joins the sync; its rows of the same transaction come with it.
        await using (var conn = await s.OpenAsync("src"))
        await using (var tx = await conn.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            await conn.ExecAsync("CREATE TABLE fresh (id int PRIMARY KEY, v text)");
            await conn.ExecAsync("INSERT INTO fresh SELECT g, 'f' || g FROM generate_series(1, 100) g");
            await tx.CommitAsync(TestContext.Current.CancellationToken);
        }
        await s.ExecAsync("src", "INSERT INTO fresh VALUES (101, 'after')");
        await s.ExecAsync("src", "ALTER TABLE fresh RENAME TO renamed");
        await s.ExecAsync("src", "INSERT INTO renamed VALUES (102, 'renamed')");
        await s.ExecAsync("src", "UPDATE renamed SET v = 'u' WHERE id = 1");
        await s.ExecAsync("src", "DROP TABLE old");

        await load.StopAsync();
        await s.WaitAsync(sync, 120);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM renamed")).ShouldBe(102);
        (await s.ScalarAsync<bool>("dst", "SELECT to_regclass('public.old') IS NULL AND to_regclass('public.fresh') IS NULL")).ShouldBeTrue();
        var show = await s.Ibex("sync", "show", sync);
        show.Output.ShouldContain("public.renamed");
        show.Output.ShouldNotContain("public.old");
        await s.ShouldMatchAsync("renamed", "id", "src", "dst");
        await s.ShouldMatchAsync("evt", "id", "src", "dst");
        await DdlChecks.ShouldBeInSyncAsync(s, sync, "src", "public", "dst");

        // The sync still follows after a restart of the daemon (names come from the control database).
        await s.StopDaemonAsync();
        await s.ExecAsync("src", "INSERT INTO renamed VALUES (103, 'restart')");
        s.StartDaemon();
        await s.WaitAsync(sync, 120);
        await s.ShouldMatchAsync("renamed", "id", "src", "dst");
    }

    [Fact]
    public async Task A_DDL_that_fails_on_one_target_pauses_that_link_with_the_SQL_and_the_other_goes_on()
    {
        var (s, sync) = await StartAsync(clusters, "fail", "CREATE TABLE evt (id bigserial PRIMARY KEY, note text)", "ok", "bad");
        await using var _ = s;
        await s.ExecAsync("bad", "CREATE INDEX in_the_way ON evt (id)");
        await using var load = WriteLoad.Start(s, "src", "evt");
        await s.ExecAsync("src", "CREATE INDEX in_the_way ON evt (note)");
        await s.ExecAsync("src", "INSERT INTO evt (note) VALUES ('after the index')");
        var status = await DdlChecks.StatusUntilAsync(s, sync, "CREATE INDEX in_the_way ON evt (note)");
        status.ShouldContain("replicated DDL");
        (await s.ScalarAsync<long>("bad", "SELECT count(*) FROM evt WHERE note = 'after the index'")).ShouldBe(0, "nothing past the failed DDL");

        await s.ExecAsync("bad", "DROP INDEX in_the_way");
        await load.StopAsync();
        await s.WaitAsync(sync, 120);
        await s.ShouldMatchAsync("evt", "id", "src", "ok", "bad");
        await DdlChecks.ShouldBeInSyncAsync(s, sync, "src", "public", "ok", "bad");

        // The capture goes with the last sync that used it.
        await s.StopDaemonAsync();
        (await s.Ibex("sync", "remove", sync)).ShouldSucceed();
        (await s.ScalarAsync<bool>("src", "SELECT to_regnamespace('ibex_ddl') IS NULL AND NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname LIKE 'ibex_ddl%')")).ShouldBeTrue();
    }
}
