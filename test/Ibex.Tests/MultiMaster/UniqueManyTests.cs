using Ibex.Tests.Infrastructure;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// A table with two unique columns. A version deleted for one of its values held the other from its commit, and a
/// version that loses one value to a later row still took its other value from an older row, whatever order the
/// versions reach a node in. In both tests c's row 2 takes 'm' first, a's row 3 takes 'm' later (and 'x'), and b's
/// row 4 takes 'x' later still, so on a node where they come in that order row 2 loses 'm' to row 3, row 3 loses 'x'
/// to row 4, and only row 4 is left.
/// </summary>
public class UniqueManyTests(SharedClusters clusters)
{
    static async Task WriteInOrderAsync(HeldNodeMesh m, string table)
    {
        await m.Scenario.ExecAsync("c", $"INSERT INTO {table} VALUES (2, 'q', 'm')");
        await m.Scenario.ExecAsync("a", $"INSERT INTO {table} VALUES (3, 'x', 'm')");
        await m.Scenario.ExecAsync("b", $"INSERT INTO {table} VALUES (4, 'x', 'z')");
    }

    [Fact]
    public async Task A_row_deleted_for_one_unique_value_still_held_its_other_value_against_an_older_write_that_comes_later()
    {
        var ct = TestContext.Current.CancellationToken;
        // c is held down until a's and b's rows have met on a and b, so its older row comes last there.
        await using var m = await HeldNodeMesh.StartAsync(clusters, "c", "um3", "CREATE TABLE um3 (k int PRIMARY KEY, u text UNIQUE, w text UNIQUE)", ct);
        await WriteInOrderAsync(m, "um3");
        await m.Held.StopServerAsync("fast", ct);
        m.Scenario.StartDaemon();
        await m.UntilAsync("a", "um3", "(4,x,z)");
        await m.UntilAsync("b", "um3", "(4,x,z)");

        // Row 3 held 'm' from its commit until row 4 took its 'x', so c's older row 2 lost 'm' to it: gone everywhere.
        await m.ReleaseAndExpectAsync("um3", "(4,x,z)", ct);
    }

    [Fact]
    public async Task A_row_that_loses_one_unique_value_to_a_later_row_still_took_its_other_value_from_an_older_row()
    {
        var ct = TestContext.Current.CancellationToken;
        // a is held down until c's row 2 and b's row 4 are both on b and c, so a's row 3, between them in time, meets
        // both at once there.
        await using var m = await HeldNodeMesh.StartAsync(clusters, "a", "um4", "CREATE TABLE um4 (k int PRIMARY KEY, u text UNIQUE, w text UNIQUE)", ct);
        await WriteInOrderAsync(m, "um4");
        await m.Held.StopServerAsync("fast", ct);
        m.Scenario.StartDaemon();
        await m.UntilAsync("b", "um4", "(2,q,m) (4,x,z)");
        await m.UntilAsync("c", "um4", "(2,q,m) (4,x,z)");

        // Row 3 lost 'x' to the later row 4 but beat the older row 2 for 'm': row 2 is gone everywhere.
        await m.ReleaseAndExpectAsync("um4", "(4,x,z)", ct);
    }
}
