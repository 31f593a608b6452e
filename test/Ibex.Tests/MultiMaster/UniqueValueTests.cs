using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// A secondary UNIQUE value written on two nodes at once, where the row that wins it lets it go (deleted, or changed to
/// another value) before the losing write reaches the winner's node. The node where they met removed the loser; the
/// winner's node meets no holder any more and must still not keep the loser: the value's last holder is remembered
/// (a value tombstone: who held it, with which version). Found by MeshChaosTests (mix idku) as a few differing rows.
/// </summary>
public class UniqueValueTests(SharedClusters clusters)
{
    // Each table: k 1 and 2 exist on both nodes before the sync (not concurrent with anything); the writes below run
    // with the daemon stopped, in this order, then the daemon starts.
    static readonly (string Table, string Writes, string Expected)[] Cases =
    [
        // The winner (later) is deleted: the loser's update on a must not survive on b.
        ("t_del", "a: UPDATE t_del SET u = 'x' WHERE k = 1; b: UPDATE t_del SET u = 'x' WHERE k = 2; b: DELETE FROM t_del WHERE k = 2", ""),
        // The winner moves to another value: same, and the winner keeps its new value.
        ("t_vac", "a: UPDATE t_vac SET u = 'x' WHERE k = 1; b: UPDATE t_vac SET u = 'x' WHERE k = 2; b: UPDATE t_vac SET u = 'z' WHERE k = 2", "(2,z)"),
        // Two inserts of the value: the later one wins and is deleted; the earlier one must not come back on b.
        ("t_ins", "a: INSERT INTO t_ins VALUES (3, 'x'); b: INSERT INTO t_ins VALUES (4, 'x'); b: DELETE FROM t_ins WHERE k = 4", "(1,p) (2,q)"),
        // The version that held the value counts, not the time it let go: a's write is later than b's holding version
        // (it wins on a) and earlier than b's move away; it must win on b as well.
        ("t_win", "b: UPDATE t_win SET u = 'x' WHERE k = 2; a: UPDATE t_win SET u = 'x' WHERE k = 1; b: UPDATE t_win SET u = 'z' WHERE k = 2", "(1,x) (2,z)"),
    ];

    [Fact]
    public async Task A_unique_value_lost_to_a_row_that_then_lets_it_go_stays_lost_on_every_node()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        foreach (var (table, _, _) in Cases)
            await s.ExecAllAsync($"CREATE TABLE {table} (k int PRIMARY KEY, u text UNIQUE); INSERT INTO {table} VALUES (1, 'p'), (2, 'q')");
        await s.AddNodesAsync();
        var sync = "uv" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", string.Join(",", Cases.Select(c => c.Table)), "--source", "a", "--source", "b", "--copy", "never", "--conflict", "latest")).ShouldSucceed();
        foreach (var (_, writes, _) in Cases)
            foreach (var w in writes.Split("; "))
                await s.ExecAsync(w[..1], w[3..]);

        s.StartDaemon();
        await s.WaitAsync(sync);
        var failures = new List<string>();
        foreach (var (table, _, expected) in Cases)
            foreach (var node in new[] { "a", "b" })
            {
                var rows = string.Join(" ", await s.RowsAsync(node, table, "k"));
                if (rows != expected)
                    failures.Add($"{table} on {node} is '{rows}', expected '{expected}'");
            }
        failures.ShouldBeEmpty(string.Join("\n", failures) + "\n" + s.DaemonLog);
    }
}
