using Ibex.Control;
using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Shapes;

public class SequenceAndRetentionTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_promoted_target_continues_after_the_sources_last_sequence_value()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE orders (id bigserial PRIMARY KEY, note text); CREATE TABLE items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "seqs", "--tables", "orders,items", "--source", "src", "--target", "dst", "--sequences")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO orders (note) SELECT 'o' FROM generate_series(1, 37); INSERT INTO items (note) SELECT 'i' FROM generate_series(1, 12);");
        await s.WaitAsync("seqs");
        (await s.Ibex("sequences", "sync", "seqs")).ShouldSucceed();
        // The target is promoted: its own inserts must not collide with the rows that came from the source.
        await s.ExecAsync("dst", "INSERT INTO orders (note) VALUES ('after promotion'); INSERT INTO items (note) VALUES ('after promotion');");
        (await s.ScalarAsync<long>("dst", "SELECT id FROM orders WHERE note = 'after promotion'")).ShouldBe(38);
        (await s.ScalarAsync<int>("dst", "SELECT id FROM items WHERE note = 'after promotion'")).ShouldBe(13);
    }

    [Fact]
    public async Task The_retention_guard_drops_a_slot_that_holds_too_much_WAL_and_copies_afresh()
    {
        await using var own = await LocalCluster.StartAsync("retention", cancellationToken: TestContext.Current.CancellationToken);
        var shared = await clusters.GetAsync(0);
        await using var s = await Scenario.CreateAsync(shared, ("src", shared), ("dst", own));
        await s.ExecAllAsync("CREATE TABLE big (id int PRIMARY KEY, pad text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "guard", "--tables", "big", "--source", "src", "--target", "dst", "--max-retained", "4MB", "--on-retention", "drop-slot")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO big VALUES (1, 'x')");
        await s.WaitAsync("guard");
        await own.StopServerAsync("immediate", TestContext.Current.CancellationToken);
        // The target is down, so the slot holds everything written now: far more than 4 MB.
        await s.ExecAsync("src", "INSERT INTO big SELECT g, repeat('p', 500) FROM generate_series(2, 40000) g");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long retained;
        while ((retained = await s.ScalarAsync<long>("src", "SELECT coalesce((pg_current_wal_lsn() - confirmed_flush_lsn)::bigint, 0) FROM pg_replication_slots WHERE database = current_database()")) > 4 << 20
               && DateTime.UtcNow < deadline)
            await Task.Delay(250, TestContext.Current.CancellationToken);
        retained.ShouldBeLessThan(4 << 20, s.DaemonLog);
        (await s.Ibex("status", "guard")).Output.ShouldContain("retains");

        await own.StartServerAsync(TestContext.Current.CancellationToken);
        await s.WaitAsync("guard", 120);
        await s.ShouldMatchAsync("big", "id", "src", "dst");
    }

    [Fact]
    public async Task A_slot_dropped_by_the_retention_guard_leaves_a_kick_mode_sync_idle_until_its_next_kick()
    {
        var ct = TestContext.Current.CancellationToken;
        // The source has a server of its own: on a shared one, other tests' WAL makes the guard replace the slot again
        // while this test watches it, and a slot being created is active.
        await using var own = await LocalCluster.StartAsync("kickguard", cancellationToken: ct);
        var shared = await clusters.GetAsync(0);
        await using var s = await Scenario.CreateAsync(shared, ("src", own), ("dst", shared));
        await s.ExecAllAsync("CREATE TABLE big (id int PRIMARY KEY, pad text) WITH (autovacuum_enabled = off)");
        await s.AddNodesAsync();
        var sync = "kickguard" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "big", "--source", "src", "--target", "dst", "--mode", "kick", "--max-retained", "4MB", "--on-retention", "drop-slot")).ShouldSucceed();
        s.StartDaemon();
        (await s.Ibex("sync", "kick", sync, "--wait", "--timeout", "60")).ShouldSucceed();
        var slot = ObjectNames.Slot(sync, "src");
        // Between kicks the slot holds everything written: far more than 4 MB, so the guard replaces it.
        await s.ExecAsync("src", "INSERT INTO big SELECT g, repeat('p', 500) FROM generate_series(1, 40000) g");
        await Poll.UntilAsync(() => s.ScalarAsync<long>("src", "SELECT coalesce((SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = $1), -1)", slot),
            r => r is >= 0 and < 4 << 20, 60, r => $"slot retains {r} bytes\n{s.DaemonLog}");
        // Replacing the slot must not turn the sync into a streaming one: nothing runs until the next kick. The guard
        // would have restarted the pipeline within a second, and its first act is the fresh copy.
        var until = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < until)
        {
            (await s.ScalarAsync<bool>("src", "SELECT coalesce((SELECT active FROM pg_replication_slots WHERE slot_name = $1), false)", slot)).ShouldBeFalse(s.DaemonLog);
            (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM big")).ShouldBe(0, s.DaemonLog);
            await Task.Delay(250, ct);
        }
        (await s.Ibex("sync", "kick", sync, "--wait", "--timeout", "120")).ShouldSucceed();
        await s.ShouldMatchAsync("big", "id", "src", "dst");
    }
}
