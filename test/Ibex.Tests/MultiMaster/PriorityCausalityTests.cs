using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Priority's former known limit: a lower-ranked node that overwrites a higher-ranked version it has already received,
/// within the window, must not keep its write alone. Its write was made knowing that version, so it supersedes it on
/// every node.
/// </summary>
public class PriorityCausalityTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_write_made_after_receiving_a_higher_ranked_version_wins_on_every_node()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync("CREATE TABLE kv (k int PRIMARY KEY, v text); INSERT INTO kv VALUES (1, 'orig')");
        await s.AddNodesAsync();
        var sync = "pc" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "kv", "--source", "a", "--source", "b", "--copy", "never", "--conflict", "priority:a,b@60s")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync);

        await s.ExecAsync("a", "UPDATE kv SET v = 'a' WHERE k = 1");
        await Poll.UntilAsync(() => s.ScalarAsync<string>("b", "SELECT v FROM kv WHERE k = 1"), v => v == "a", 30, v => $"b holds {v}\n{s.DaemonLog}");
        // b has a's version and overwrites it well within the window: a outranks b, but b's write came after a's.
        await s.ExecAsync("b", "UPDATE kv SET v = 'b after a' WHERE k = 1");
        await s.WaitAsync(sync);

        (await s.RowsAsync("a", "kv")).ShouldBe(["(1,\"b after a\")"], s.DaemonLog);
        (await s.RowsAsync("b", "kv")).ShouldBe(["(1,\"b after a\")"], s.DaemonLog);
    }
}
