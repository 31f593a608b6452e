using Ibex.Tests.Infrastructure;

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
        // c is held down while b's key change reaches a, so c's older write comes after it.
        await using var m = await HeldNodeMesh.StartAsync(clusters, "c", "um", "CREATE TABLE um (k int PRIMARY KEY, u text UNIQUE); INSERT INTO um VALUES (1, 'p')", ct);
        // In this order: c's row 2 takes 'x'; a's row 3 takes 'x' later (c's has not reached it); b, later still,
        // moves row 1 to key 3 (a's has not reached it).
        await m.Scenario.ExecAsync("c", "INSERT INTO um VALUES (2, 'x')");
        await m.Scenario.ExecAsync("a", "INSERT INTO um VALUES (3, 'x')");
        await m.Scenario.ExecAsync("b", "UPDATE um SET k = 3 WHERE k = 1");
        await m.Held.StopServerAsync("fast", ct);
        m.Scenario.StartDaemon();
        await m.UntilAsync("a", "um", "(3,p)");

        // a's row 3 held 'x' from its commit until b's move replaced it, so c's older row 2 lost 'x' to it: gone everywhere.
        await m.ReleaseAndExpectAsync("um", "(3,p)", ct);
    }

    [Fact]
    public async Task A_key_change_that_loses_its_unique_value_still_replaced_the_version_at_its_new_key()
    {
        var ct = TestContext.Current.CancellationToken;
        // c is held down while b's key change reaches a, so c's older row comes after it.
        await using var m = await HeldNodeMesh.StartAsync(clusters, "c", "um2", "CREATE TABLE um2 (k int PRIMARY KEY, u text UNIQUE); INSERT INTO um2 VALUES (1, 'p')", ct);
        // In this order: c writes row 3; b (not knowing it) moves row 1 to key 3 taking 'x'; a, later still, takes
        // 'x' at key 2. b's version replaced c's at key 3 and then lost 'x' to a's: key 3 is gone everywhere.
        await m.Scenario.ExecAsync("c", "INSERT INTO um2 VALUES (3, 'q')");
        await m.Scenario.ExecAsync("b", "UPDATE um2 SET k = 3, u = 'x' WHERE k = 1");
        await m.Scenario.ExecAsync("a", "INSERT INTO um2 VALUES (2, 'x')");
        await m.Held.StopServerAsync("fast", ct);
        m.Scenario.StartDaemon();
        await m.UntilAsync("a", "um2", "(2,x)");

        await m.ReleaseAndExpectAsync("um2", "(2,x)", ct);
    }

    [Fact]
    public async Task A_key_change_to_a_key_deleted_later_loses_there_even_when_it_takes_a_unique_value_from_an_older_row()
    {
        var ct = TestContext.Current.CancellationToken;
        // b is held down until a's writes have reached c, so on a and c its key change meets a later delete of its new
        // key and an older row holding its new value at once.
        await using var m = await HeldNodeMesh.StartAsync(clusters, "b", "um5", "CREATE TABLE um5 (k int PRIMARY KEY, u text UNIQUE); INSERT INTO um5 VALUES (1, 'p')", ct);
        // In this order: c's row 3 takes 'x'; b moves row 1 to key 2 taking 'x'; a writes key 2 and deletes it, then
        // writes row 9. On a node where they come in that order b's move takes 'x' from row 3, then a's write replaces
        // it and a's delete removes key 2: only row 9 is left.
        await m.Scenario.ExecAsync("c", "INSERT INTO um5 VALUES (3, 'x')");
        await m.Scenario.ExecAsync("b", "UPDATE um5 SET k = 2, u = 'x' WHERE k = 1");
        await m.Scenario.ExecAsync("a", "INSERT INTO um5 VALUES (2, 'q')");
        await m.Scenario.ExecAsync("a", "DELETE FROM um5 WHERE k = 2");
        await m.Scenario.ExecAsync("a", "INSERT INTO um5 VALUES (9, 'z')");
        await m.Held.StopServerAsync("fast", ct);
        m.Scenario.StartDaemon();
        await m.UntilAsync("c", "um5", "(1,p) (3,x) (9,z)");
        await m.UntilAsync("a", "um5", "(1,p) (3,x) (9,z)");

        // Key 2's delete is later than b's move: the move loses there (as it would at its own key), but it still took
        // 'x' from the older row 3.
        await m.ReleaseAndExpectAsync("um5", "(9,z)", ct);
    }
}
