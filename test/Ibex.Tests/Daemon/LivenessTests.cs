using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Daemon;

/// <summary>
/// Monitoring must not be blind when nothing is written: a link notices a dead target by itself, and lag comes from
/// the source's WAL position against what each target has confirmed, not from what the applier happens to be doing.
/// </summary>
public class LivenessTests(SharedClusters clusters)
{
    static async Task<JsonElement> LinkAsync(Scenario s, string sync, string target)
    {
        var r = await s.Ibex("status", sync, "--json");
        r.ExitCode.ShouldBe(0, r.Error);
        return JsonDocument.Parse(r.Output).RootElement[0].GetProperty("links").EnumerateArray().Single(l => l.GetProperty("target").GetString() == target).Clone();
    }

    [Fact]
    public async Task An_idle_sync_whose_target_stops_turns_down_and_critical_within_15_seconds()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var own = await LocalCluster.StartAsync("idletarget", cancellationToken: ct);
        await using var s = await Scenario.CreateAsync(await clusters.GetAsync(0), ("src", await clusters.GetAsync(1)), ("dst", own));
        await s.ExecAllAsync("CREATE TABLE idle (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        var sync = "idle" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "idle", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon(sync);
        await s.ExecAsync("src", "INSERT INTO idle VALUES (1)");
        await s.WaitAsync(sync);

        // Nothing is written on the source from here on.
        var stopped = Stopwatch.StartNew();
        await own.StopServerAsync("fast", ct);
        var link = await Poll.UntilAsync(() => LinkAsync(s, sync, "dst"), l => l.GetProperty("state").GetString() == "down", 15,
            l => $"{l}\n{s.DaemonLog}");
        var check = await Poll.UntilAsync(() => s.Ibex("check", "--sync", sync, "--warning-retained", "100GB", "--critical-retained", "200GB"), r => r.ExitCode == 2, 15, r => r.Output);
        TestContext.Current.SendDiagnosticMessage($"idle target stopped: link down and check CRITICAL after {stopped.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        stopped.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
        check.Output.ShouldContain("CRITICAL");
        link.GetProperty("error").GetString()!.ShouldContain("dst");

        await own.StartServerAsync(ct);
        await s.ExecAsync("src", "INSERT INTO idle VALUES (2)");
        await s.WaitAsync(sync, 90);
        await s.ShouldMatchAsync("idle", "id", "src", "dst");
    }

    [Fact]
    public async Task A_stalled_source_stream_shows_growing_lag()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE stall (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        var sync = "stall" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "stall", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon(sync);
        await s.ExecAsync("src", "INSERT INTO stall VALUES (0)");
        await s.WaitAsync(sync);

        // The walsender serving the slot stops dead (SIGSTOP), as a stalled network would leave it; the source keeps working.
        var walsender = await s.ScalarAsync<int>("src", "SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1", $"ibex_{sync}_src");
        Signal("STOP", walsender);
        try
        {
            var i = 0;
            var lag = await Poll.UntilAsync(async () =>
            {
                await s.ExecAsync("src", $"INSERT INTO stall VALUES ({++i})");
                return await LinkAsync(s, sync, "dst");
            }, l => l.GetProperty("lag_seconds").ValueKind == JsonValueKind.Number && l.GetProperty("lag_seconds").GetDouble() >= 3, 30, l => $"{l}\n{s.DaemonLog}");
            lag.GetProperty("lag_bytes").GetInt64().ShouldBeGreaterThan(0);
            var later = await Poll.UntilAsync(() => LinkAsync(s, sync, "dst"), l => l.GetProperty("lag_seconds").GetDouble() > lag.GetProperty("lag_seconds").GetDouble() + 1, 30, l => l.ToString());
            later.GetProperty("lag_seconds").GetDouble().ShouldBeGreaterThan(4);
        }
        finally
        {
            Signal("CONT", walsender);
        }
        await s.WaitAsync(sync, 90);
        await s.ShouldMatchAsync("stall", "id", "src", "dst");
        await Poll.UntilAsync(() => LinkAsync(s, sync, "dst"), l => l.GetProperty("lag_seconds").GetDouble() < 2, 30, l => l.ToString());
    }

    static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        kill.ExitCode.ShouldBe(0);
    }
}
