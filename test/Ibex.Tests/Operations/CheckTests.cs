using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Operations;

public class CheckTests(SharedClusters clusters)
{
    // Retained WAL on the shared clusters also grows with other tests' writes: keep those levels out of the way
    // unless a test is about them.
    static readonly string[] FarRetained = ["--warning-retained", "100GB", "--critical-retained", "200GB"];

    [Fact]
    public async Task Check_is_ok_when_streaming_then_warning_then_critical_as_apply_lag_grows()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY, v text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "lagging", "--tables", "t", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync("lagging");

        var ok = await CheckAsync(s, ["--sync", "lagging", .. FarRetained]);
        ok.State.ShouldBe("OK", ok.Text);
        ok.Service.ShouldBe("IBEX_SYNC");
        ok.Text.ShouldContain("1 sync(s) streaming");
        ok["lag_s"].Unit.ShouldBe("s");
        ok["lag_s"].Warning.ShouldBe(30);
        ok["lag_s"].Critical.ShouldBe(300);
        ok["retained_bytes"].Unit.ShouldBe("B");
        ok["retained_bytes"].Warning.ShouldBe(100d * (1L << 30));
        ok["conflicts"].Unit.ShouldBe("c");
        ok["conflicts"].Value.ShouldBe(0);
        ok["lagging_lag_s"].Value.ShouldBeLessThan(30);

        // Stop the applier: an exclusive lock on the target table, held in an open transaction, while the source writes.
        await using var blocker = await s.OpenAsync("dst");
        await using var tx = await blocker.BeginTransactionAsync(ct);
        await blocker.ExecAsync("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
        await s.ExecAsync("src", "INSERT INTO t VALUES (1, 'blocked')");

        var warning = await Poll.UntilAsync(() => CheckAsync(s, ["--sync", "lagging", "--warning-lag", "1s", "--critical-lag", "1h", .. FarRetained]),
            r => r.State == "WARNING", 30, r => r.Text + "\n" + s.DaemonLog);
        warning.Text.ShouldContain("lagging src->dst lag");
        warning["lag_s"].Value.ShouldBeGreaterThan(1);
        warning["lag_s"].Warning.ShouldBe(1);
        warning["lag_s"].Critical.ShouldBe(3600);

        var critical = await Poll.UntilAsync(() => CheckAsync(s, ["--warning-lag", "1", "--critical-lag", "3s", .. FarRetained]),
            r => r.State == "CRITICAL", 30, r => r.Text);
        critical.Text.ShouldContain("lagging src->dst lag");
        critical["lag_s"].Value.ShouldBeGreaterThan(3);

        await tx.RollbackAsync(ct);
        await s.WaitAsync("lagging");
        var back = await Poll.UntilAsync(() => CheckAsync(s, ["--sync", "lagging", .. FarRetained]), r => r.State == "OK", 30, r => r.Text);
        back["lag_s"].Value.ShouldBeLessThan(30);

        // An error recorded in the last minutes is a warning; an older one is not.
        await using (var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase)))
        {
            await control.ExecAsync("INSERT INTO ibex.event (at, sync, node, level, message) VALUES (now() - interval '20 minutes', 'lagging', 'dst', 'error', 'old trouble')");
            (await CheckAsync(s, ["--sync", "lagging", .. FarRetained])).State.ShouldBe("OK");
            await control.ExecAsync("INSERT INTO ibex.event (sync, node, level, message) VALUES ('lagging', 'dst', 'error', 'disk | full')");
        }
        var errors = await CheckAsync(s, ["--sync", "lagging", .. FarRetained]);
        errors.State.ShouldBe("WARNING", errors.Text);
        errors.Text.ShouldContain("1 error(s) in the last 5 min, latest: lagging: disk / full");
    }

    [Fact]
    public async Task Check_warns_about_wal_retained_by_a_paused_sync_and_is_critical_when_the_daemon_stops()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE w (id int PRIMARY KEY, pad text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "wal", "--tables", "w", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync("wal");

        // Paused: OK with a note, but the slot keeps WAL for it, and that is checked.
        (await s.Ibex("sync", "pause", "wal")).ShouldSucceed();
        await Poll.UntilAsync(() => s.Ibex("status", "wal", "--json"), r => r.Output.Contains("\"paused\"", StringComparison.Ordinal), 30, r => r.Output);
        var paused = await CheckAsync(s, ["--sync", "wal", .. FarRetained]);
        paused.State.ShouldBe("OK", paused.Text);
        paused.Text.ShouldContain("sync wal paused");
        await s.ExecAsync("src", "INSERT INTO w SELECT g, repeat('p', 500) FROM generate_series(1, 2000) g");
        var warning = await CheckAsync(s, ["--sync", "wal", "--warning-retained", "256kB", "--critical-retained", "100GB"]);
        warning.State.ShouldBe("WARNING", warning.Text);
        warning.Text.ShouldContain("of WAL");
        warning["retained_bytes"].Value.ShouldBeGreaterThan(256 * 1024);
        warning["retained_bytes"].Warning.ShouldBe(256 * 1024);

        // Resumed, then the daemon stops while the source keeps writing.
        (await s.Ibex("sync", "resume", "wal")).ShouldSucceed();
        await s.WaitAsync("wal");
        await s.StopDaemonAsync();
        await s.ExecAsync("src", "INSERT INTO w SELECT g, repeat('q', 500) FROM generate_series(2001, 4000) g");
        var retained = await CheckAsync(s, ["--sync", "wal", "--warning-retained", "64kB", "--critical-retained", "512kB"]);
        retained.State.ShouldBe("CRITICAL", retained.Text);
        retained.Text.ShouldContain("retains");
        retained["retained_bytes"].Value.ShouldBeGreaterThan(512 * 1024);

        // Once the daemon has been silent for longer than a status period, the check says so.
        var stale = await Poll.UntilAsync(() => CheckAsync(s, ["--sync", "wal", .. FarRetained]), r => r.Text.Contains("daemon not running", StringComparison.Ordinal), 45, r => r.Text);
        stale.State.ShouldBe("CRITICAL");
    }

    [Fact]
    public async Task Check_is_unknown_when_the_control_database_is_down_or_the_arguments_are_bad()
    {
        await using var s = await Scenario.CreateAsync(clusters);
        var down = await s.Ibex("check", "--control", "host=127.0.0.1 port=1 dbname=ibex user=ibex connect_timeout=3");
        var parsed = NagiosOutput.Parse(down.Output, down.ExitCode);
        parsed.State.ShouldBe("UNKNOWN");
        down.ExitCode.ShouldBe(3);
        parsed.Text.ShouldContain("control database");

        foreach (var args in new[]
                 {
                     new[] { "check", "--warning-lag", "soon" },
                     ["check", "--critical-retained", "lots"],
                     ["check", "--warning-lag", "10m", "--critical-lag", "1m"],
                     ["check", "--warning-conflicts", "-3"],
                     ["check", "--no-such-option"],
                     ["check", "--sync"],
                     ["check", "--sync", "nosuchsync"],
                 })
        {
            var r = await s.Ibex(args);
            r.ExitCode.ShouldBe(3, string.Join(" ", args) + ": " + r.Output + r.Error);
            NagiosOutput.Parse(r.Output, r.ExitCode).State.ShouldBe("UNKNOWN");
        }

        var empty = await s.Ibex("check");
        NagiosOutput.Parse(empty.Output, empty.ExitCode).Text.ShouldContain("no syncs");
    }

    static async Task<NagiosOutput> CheckAsync(Scenario s, string[] args)
    {
        var r = await s.Ibex(["check", .. args]);
        r.Error.ShouldBeEmpty();
        return NagiosOutput.Parse(r.Output, r.ExitCode);
    }
}
