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
}
