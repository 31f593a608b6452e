using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Operations;

/// <summary>docs/topologies.md, two daemons: the second stands by while the first runs the sync, and takes over when it stops.</summary>
public class StandbyDaemonTests(SharedClusters clusters)
{
    [Fact]
    public async Task Second_daemon_stands_by_and_takes_over_when_the_first_stops()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE items (id int PRIMARY KEY, v text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "ha", "--tables", "public.items", "--source", "src", "--target", "dst")).ShouldSucceed();

        await using var first = DaemonProcess.Start(s.ControlDsn);
        await s.ExecAsync("src", "INSERT INTO items SELECT g, 'first' FROM generate_series(1, 100) g");
        await s.WaitAsync("ha");
        await using var second = DaemonProcess.Start(s.ControlDsn);
        await Poll.UntilAsync(() => Task.FromResult(second.Log), log => log.Contains("standing by", StringComparison.Ordinal), 60, log => log);

        (await first.StopAsync()).ShouldBe(0, first.Log);
        await s.ExecAsync("src", "INSERT INTO items SELECT g, 'second' FROM generate_series(101, 200) g");
        await s.WaitAsync("ha", 90);
        await s.ShouldMatchAsync("items", "id", "src", "dst");
        second.Log.ShouldContain("sync ha: running");
        (await second.StopAsync()).ShouldBe(0, second.Log);
    }

    [Fact]
    public async Task A_daemon_that_loses_its_lock_stops_before_the_standby_takes_over()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE items (id int PRIMARY KEY, v text)");
        await s.AddNodesAsync();
        var sync = "lease" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "public.items", "--source", "src", "--target", "dst")).ShouldSucceed();

        await using var first = DaemonProcess.Start(s.ControlDsn);
        await s.ExecAsync("src", "INSERT INTO items SELECT g, 'before' FROM generate_series(1, 100) g");
        await s.WaitAsync(sync);
        await using var second = DaemonProcess.Start(s.ControlDsn);
        await Poll.UntilAsync(() => Task.FromResult(second.Log), log => log.Contains("standing by", StringComparison.Ordinal), 60, log => log);

        // The control database ends the first daemon's lock session (as a restart or a network cut would), under writes.
        using var stop = new CancellationTokenSource();
        var written = 100;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                await s.ExecAsync("src", $"INSERT INTO items VALUES ({Interlocked.Increment(ref written)}, 'during')");
        });
        await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        var killed = await control.ScalarAsync<long>("""
            SELECT count(pg_terminate_backend(a.pid)) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
            WHERE a.datname = current_database() AND a.application_name = 'ibex lock'
            """);
        killed.ShouldBe(1);
        await Poll.UntilAsync(() => Task.FromResult(first.Log), log => log.Contains("stopped after losing its lock", StringComparison.Ordinal), 30, log => log);
        await Poll.UntilAsync(() => Task.FromResult(second.Log), log => log.Contains($"sync {sync}: running", StringComparison.Ordinal), 60, log => log);
        await stop.CancelAsync();
        await writer;

        // The first stopped before the second started applying: never both at once.
        var stopped = LineTime(first.Log, "stopped after losing its lock");
        var started = LineTime(second.Log, $"sync {sync}: running");
        stopped.ShouldBeLessThan(started, $"first:\n{first.Log}\nsecond:\n{second.Log}");
        (stopped - LineTime(first.Log, "lost its lock in the control database")).ShouldBeLessThan(TimeSpan.FromSeconds(5));

        await s.WaitAsync(sync, 90);
        await s.ShouldMatchAsync("items", "id", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM items")).ShouldBe(written);
        (await s.Ibex("status", sync)).Output.ShouldContain("lost its lock");
        // No tug of war: the second's sessions were never terminated, and the first did not start the sync again.
        second.Log.ShouldNotContain("administrator command");
        second.Log.ShouldNotContain("retrying target");
        first.Log.Split('\n').Count(l => l.Contains($"sync {sync}: running", StringComparison.Ordinal)).ShouldBe(1, first.Log);
    }

    // The time a daemon log line starts with (ibex run writes "yyyy-MM-dd HH:mm:ss.fff level category: message").
    static DateTime LineTime(string log, string containing)
    {
        var line = log.Split('\n').First(l => l.Contains(containing, StringComparison.Ordinal));
        return DateTime.ParseExact(line[..23], "yyyy-MM-dd HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
    }
}
