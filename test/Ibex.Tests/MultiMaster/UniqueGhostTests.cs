using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// A version that wins a secondary UNIQUE value and is itself replaced at its own key by a later concurrent version
/// (or deleted later) still took the value in its time: the row it took it from is gone, on every node, whatever the
/// order the three versions arrive in. On a node where the later version at its key came first, the middle version
/// is dropped on arrival; it must still remove the older holder, and be remembered as a holder for one that comes
/// after it. Found by MeshChaosTests (mix idku): a row kept on one node that every other node had deleted.
/// </summary>
public class UniqueGhostTests(SharedClusters clusters)
{
    // k 1 holds 'p' on every node before the sync; the writes run with the daemon stopped, in this order. Which order
    // the versions reach each node in is up to the three links: the cases hold for every order.
    static readonly (string Table, string Writes, string Expected)[] Cases =
    [
        // c's row takes 'x'; a's later version of k 1 takes it from c's row; b's even later version of k 1 moves to 'z'.
        ("g_upd", "c: INSERT INTO g_upd VALUES (2, 'x'); a: UPDATE g_upd SET u = 'x' WHERE k = 1; b: UPDATE g_upd SET u = 'z' WHERE k = 1", "(1,z)"),
        // The same, with b deleting k 1 instead.
        ("g_del", "c: INSERT INTO g_del VALUES (2, 'x'); a: UPDATE g_del SET u = 'x' WHERE k = 1; b: DELETE FROM g_del WHERE k = 1", ""),
        // Inserts of one key on c then a, the later one taking 'x', which b's even later row at another key takes: the
        // key is gone everywhere, not back at c's version where a's arrived first, or kept where c's arrived first.
        ("g_ins", "c: INSERT INTO g_ins VALUES (3, 'y'); a: INSERT INTO g_ins VALUES (3, 'x'); b: INSERT INTO g_ins VALUES (4, 'x')", "(1,p) (4,x)"),
    ];

    [Fact]
    public async Task A_version_replaced_at_its_own_key_still_took_its_unique_value_from_an_older_row()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "c");
        foreach (var (table, _, _) in Cases)
            await s.ExecAllAsync($"CREATE TABLE {table} (k int PRIMARY KEY, u text UNIQUE); INSERT INTO {table} VALUES (1, 'p')");
        await s.AddNodesAsync();
        var sync = "ug" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", string.Join(",", Cases.Select(c => c.Table)), "--source", "a", "--source", "b", "--source", "c", "--copy", "never", "--conflict", "latest")).ShouldSucceed();
        foreach (var (_, writes, _) in Cases)
            foreach (var w in writes.Split("; "))
                await s.ExecAsync(w[..1], w[3..]);

        s.StartDaemon();
        await s.WaitAsync(sync);
        var failures = new List<string>();
        foreach (var (table, _, expected) in Cases)
            foreach (var node in new[] { "a", "b", "c" })
            {
                var rows = string.Join(" ", await s.RowsAsync(node, table, "k"));
                if (rows != expected)
                    failures.Add($"{table} on {node} is '{rows}', expected '{expected}'");
            }
        if (failures.Count > 0)
        {
            foreach (var node in new[] { "a", "b", "c" })
                failures.Add($"{node} value tombstones: " + await s.ScalarAsync<string>(node, "SELECT coalesce(string_agg(relation || ' ' || value::text || ' by ' || held_by || ' at ' || held_at, '; '), '') FROM ibex_mm.value_tombstone"));
            await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
            await using var cmd = new Npgsql.NpgsqlCommand("SELECT coalesce(string_agg(node || ' ' || table_name || ' ' || kind || ' ' || key::text || ' local=' || coalesce(local_origin, '?') || ' remote=' || remote_origin || ' -> ' || winner, E'\n' ORDER BY id), '') FROM ibex.conflict WHERE sync = $1", control);
            cmd.Parameters.Add(new() { Value = sync });
            failures.Add("conflicts:\n" + await cmd.ExecuteScalarAsync());
        }
        failures.ShouldBeEmpty(string.Join("\n", failures) + "\n" + s.DaemonLog);
    }
}
