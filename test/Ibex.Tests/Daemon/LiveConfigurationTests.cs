using System.Text;
using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Daemon;

public class LiveConfigurationTests(SharedClusters clusters)
{
    static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 30, Func<Task<string>>? explain = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new ShouldAssertException($"timed out after {seconds}s waiting for: {what}" + (explain is null ? "" : "\n" + await explain()));
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    static Task<bool> SlotActiveAsync(Scenario s, bool active)
        => s.ScalarAsync<bool>("src", "SELECT coalesce(bool_or(active), false) = $1 AND count(*) > 0 FROM pg_replication_slots WHERE database = current_database()", active);

    [Fact]
    public async Task Syncs_added_paused_resumed_and_removed_on_a_running_daemon_take_effect()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY);");
        await s.AddNodesAsync();
        s.StartDaemon();

        (await s.Ibex("sync", "add", "live_a", "--tables", "a", "--source", "src", "--target", "dst")).ShouldSucceed();
        await s.ExecAsync("src", "INSERT INTO a VALUES (1)");
        await s.WaitAsync("live_a");
        (await s.RowsAsync("dst", "a")).ShouldBe(["(1)"]);

        (await s.Ibex("sync", "pause", "live_a")).ShouldSucceed();
        await UntilAsync(() => SlotActiveAsync(s, false), "the paused sync's slot to be released");
        await UntilAsync(async () => (await s.Ibex("status", "live_a", "--json")).Output.Contains("\"paused\"", StringComparison.Ordinal), "status to show paused");
        await s.ExecAsync("src", "INSERT INTO a VALUES (2)");
        (await s.Ibex("wait", "live_a", "--timeout", "1")).ShouldFail("paused");

        (await s.Ibex("sync", "add", "live_b", "--tables", "b", "--source", "src", "--target", "dst")).ShouldSucceed();
        await s.ExecAsync("src", "INSERT INTO b VALUES (7)");
        await s.WaitAsync("live_b");
        (await s.RowsAsync("dst", "b")).ShouldBe(["(7)"]);
        (await s.RowsAsync("dst", "a")).ShouldBe(["(1)"]);

        (await s.Ibex("sync", "resume", "live_a")).ShouldSucceed();
        await s.WaitAsync("live_a");
        (await s.RowsAsync("dst", "a")).ShouldBe(["(1)", "(2)"]);

        (await s.Ibex("sync", "remove", "live_b")).ShouldSucceed();
        await s.ExecAsync("src", "INSERT INTO a VALUES (3)");
        await s.WaitAsync("live_a");
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).ShouldBe(1);
        (await s.Ibex("status")).Output.ShouldNotContain("live_b");
    }

    [Fact]
    public async Task A_sync_whose_source_is_down_does_not_stop_another_sync()
    {
        await using var broken = await LocalCluster.StartAsync("downsource", cancellationToken: TestContext.Current.CancellationToken);
        var shared = await clusters.GetAsync(0);
        await using var s = await Scenario.CreateAsync(shared, ("src", shared), ("dst", await clusters.GetAsync(1)), ("gone", broken));
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "healthy", "--tables", "t", "--source", "src", "--target", "dst")).ShouldSucceed();
        (await s.Ibex("sync", "add", "doomed", "--tables", "t", "--source", "gone", "--target", "dst", "--copy", "never")).ShouldSucceed();
        await broken.StopServerAsync("immediate", TestContext.Current.CancellationToken);
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO t SELECT generate_series(1, 10)");
        await s.WaitAsync("healthy");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM t")).ShouldBe(10);
        await UntilAsync(async () => (await s.Ibex("status", "doomed")).Output.Contains("error", StringComparison.Ordinal), "the doomed sync to report its error",
            explain: async () => (await s.Ibex("status", "doomed")).Output + s.DaemonLog);
        (await s.Ibex("status", "doomed")).Output.ShouldContain("source 'gone'");
        await broken.StartServerAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Sigterm_stops_the_daemon_cleanly_and_releases_its_slots()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "term", "--tables", "t", "--source", "src", "--target", "dst")).ShouldSucceed();
        var log = new StringBuilder();
        await using var daemon = DaemonProcess.Start(s.ControlDsn, log);
        await s.ExecAsync("src", "INSERT INTO t VALUES (1)");
        (await s.Ibex("wait", "term", "--timeout", "60")).ExitCode.ShouldBe(0, log.ToString());
        await UntilAsync(() => SlotActiveAsync(s, true), "the slot to be in use");
        (await daemon.StopAsync()).ShouldBe(0, log.ToString());
        log.ToString().ShouldContain("ibex daemon stopped");
        await UntilAsync(() => SlotActiveAsync(s, false), "the slot to be released", 10);
    }
}
