using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Shapes;

public class KickAndFullcopyTests(SharedClusters clusters)
{
    [Fact]
    public async Task Fullcopy_replaces_a_keyless_table_on_every_run()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE log (at int, msg text)");
        await s.ExecAsync("src", "INSERT INTO log SELECT g, 'm' || g FROM generate_series(1, 100) g");
        await s.ExecAsync("dst", "INSERT INTO log VALUES (-1, 'stale row on the target')");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "snap", "--tables", "log", "--source", "src", "--fullcopy", "dst")).ShouldSucceed();
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).ShouldBe(0, "a fullcopy-only sync needs no slot");
        s.StartDaemon();
        (await s.Ibex("sync", "kick", "snap", "--wait", "--timeout", "60")).ShouldSucceed().Output.ShouldContain("applied 100 row(s)");
        await s.ShouldMatchAsync("log", "1", "src", "dst");

        await s.ExecAsync("src", "DELETE FROM log WHERE at <= 10; INSERT INTO log VALUES (1000, 'new'), (1000, 'new');");
        (await s.Ibex("sync", "kick", "snap", "--wait", "--timeout", "60")).ShouldSucceed();
        await s.ShouldMatchAsync("log", "1", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM log")).ShouldBe(92);
    }

    [Fact]
    public async Task Kick_mode_applies_nothing_until_kicked_then_everything()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY, v text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "batch", "--tables", "t", "--source", "src", "--target", "dst", "--mode", "kick")).ShouldSucceed();
        s.StartDaemon();
        (await s.Ibex("sync", "kick", "batch", "--wait")).ShouldSucceed();
        await s.ExecAsync("src", "INSERT INTO t SELECT g, 'v' FROM generate_series(1, 50) g");
        await Task.Delay(3000, TestContext.Current.CancellationToken);
        // Not a timing assertion: a kick-mode daemon has no stream running between kicks, so nothing can arrive.
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM t")).ShouldBe(0);
        (await s.ScalarAsync<bool>("src", "SELECT bool_or(active) FROM pg_replication_slots WHERE database = current_database()")).ShouldBeFalse();

        var kick = (await s.Ibex("sync", "kick", "batch", "--wait", "--timeout", "60")).ShouldSucceed();
        kick.Output.ShouldContain("applied 50 row(s)");
        await s.ShouldMatchAsync("t", "id", "src", "dst");
    }

    [Fact]
    public async Task A_schedule_runs_a_kick_mode_sync_by_itself()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "sched", "--tables", "t", "--source", "src", "--target", "dst", "--mode", "kick", "--every", "2s")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO t SELECT generate_series(1, 10)");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM t") < 10 && DateTime.UtcNow < deadline)
            await Task.Delay(200, TestContext.Current.CancellationToken);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM t")).ShouldBe(10, s.DaemonLog);
    }
}
