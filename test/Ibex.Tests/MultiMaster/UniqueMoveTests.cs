using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// A key change that lands on a row at its new key replaces that row's version: the unique values that version held
/// it held until then, so an older write of one of them that reaches the node afterwards loses, as it does on the
/// nodes where the versions came in another order. Found by MeshChaosTests (mix idku, IBEX_MESH_HISTORY): a row kept on
/// two nodes that the others had deleted for a value.
/// </summary>
public class UniqueMoveTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_row_replaced_by_a_key_change_still_held_its_unique_value_against_an_older_write_that_comes_later()
    {
        var ct = TestContext.Current.CancellationToken;
        // Node c has a server of its own: it is down while b's key change reaches a, so c's older write comes after it.
        await using var own = await LocalCluster.StartAsync("umove-c", cancellationToken: ct);
        var (first, second) = (await clusters.GetAsync(0), await clusters.GetAsync(1));
        await using var s = await Scenario.CreateAsync(first, ("a", first), ("b", second), ("c", own));
        await s.ExecAllAsync("CREATE TABLE um (k int PRIMARY KEY, u text UNIQUE); INSERT INTO um VALUES (1, 'p')");
        await s.AddNodesAsync();
        var sync = "um" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "um", "--source", "a", "--source", "b", "--source", "c", "--copy", "never", "--conflict", "latest")).ShouldSucceed();
        // In this order: c's row 2 takes 'x'; a's row 3 takes 'x' later (c's has not reached it); b, later still,
        // moves row 1 to key 3 (a's has not reached it).
        await s.ExecAsync("c", "INSERT INTO um VALUES (2, 'x')");
        await s.ExecAsync("a", "INSERT INTO um VALUES (3, 'x')");
        await s.ExecAsync("b", "UPDATE um SET k = 3 WHERE k = 1");
        await own.StopServerAsync("fast", ct);

        s.StartDaemon();
        await Poll.UntilAsync(async () => string.Join(" ", await s.RowsAsync("a", "um", "k")), r => r == "(3,p)", 60, r => $"a has '{r}'\n{s.DaemonLog}");
        await own.StartServerAsync(ct);
        await s.WaitAsync(sync);

        // a's row 3 held 'x' from its commit until b's move replaced it, so c's older row 2 lost 'x' to it: gone everywhere.
        foreach (var node in new[] { "a", "b", "c" })
            string.Join(" ", await s.RowsAsync(node, "um", "k")).ShouldBe("(3,p)", $"on {node}\n{s.DaemonLog}");
    }

    [Fact]
    public async Task A_key_change_that_loses_its_unique_value_still_replaced_the_version_at_its_new_key()
    {
        var ct = TestContext.Current.CancellationToken;
        // Node c has a server of its own: it is down while b's key change reaches a, so c's older row comes after it.
        await using var own = await LocalCluster.StartAsync("umove2-c", cancellationToken: ct);
        var (first, second) = (await clusters.GetAsync(0), await clusters.GetAsync(1));
        await using var s = await Scenario.CreateAsync(first, ("a", first), ("b", second), ("c", own));
        await s.ExecAllAsync("CREATE TABLE um2 (k int PRIMARY KEY, u text UNIQUE); INSERT INTO um2 VALUES (1, 'p')");
        await s.AddNodesAsync();
        var sync = "um" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "um2", "--source", "a", "--source", "b", "--source", "c", "--copy", "never", "--conflict", "latest")).ShouldSucceed();
        // In this order: c writes row 3; b (not knowing it) moves row 1 to key 3 taking 'x'; a, later still, takes
        // 'x' at key 2. b's version replaced c's at key 3 and then lost 'x' to a's: key 3 is gone everywhere.
        await s.ExecAsync("c", "INSERT INTO um2 VALUES (3, 'q')");
        await s.ExecAsync("b", "UPDATE um2 SET k = 3, u = 'x' WHERE k = 1");
        await s.ExecAsync("a", "INSERT INTO um2 VALUES (2, 'x')");
        await own.StopServerAsync("fast", ct);

        s.StartDaemon();
        await Poll.UntilAsync(async () => string.Join(" ", await s.RowsAsync("a", "um2", "k")), r => r == "(2,x)", 60, r => $"a has '{r}'\n{s.DaemonLog}");
        await own.StartServerAsync(ct);
        await s.WaitAsync(sync);

        foreach (var node in new[] { "a", "b", "c" })
            string.Join(" ", await s.RowsAsync(node, "um2", "k")).ShouldBe("(2,x)", $"on {node}\n{s.DaemonLog}");
    }
}
