using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Priority's former known limit: a lower-ranked node that overwrites a higher-ranked version it has already received,
/// within the window, must not keep its write alone. Its write was made knowing that version, so it supersedes it on
/// every node, also on a node that receives it before the version it replaced.
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

    [Fact]
    public async Task A_write_made_after_receiving_a_higher_ranked_version_wins_where_it_arrives_before_that_version()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "c");
        await s.ExecAllAsync("CREATE TABLE kv (k int PRIMARY KEY, v text); INSERT INTO kv VALUES (9, 'orig'), (2, 'orig')");
        await s.AddNodesAsync();
        var sync = "pd" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "kv", "--source", "a", "--source", "b", "--source", "c", "--copy", "never", "--conflict", "priority:b,c,a@60s")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync);

        // b holds row 2: c's transaction (rows 2 and 9; an applier locks rows in key order, 2 first) waits there, while a's
        // changes reach b.
        await using var holder = await s.OpenAsync("b");
        await using var tx = await holder.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var lockRow = new NpgsqlCommand("SELECT v FROM kv WHERE k = 2 FOR UPDATE", holder, tx))
            await lockRow.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        await s.ExecAsync("c", "BEGIN; UPDATE kv SET v = 'c' WHERE k = 2; UPDATE kv SET v = 'c' WHERE k = 9; COMMIT");
        await Poll.UntilAsync(() => s.ScalarAsync<string>("a", "SELECT v FROM kv WHERE k = 9"), v => v == "c", 30, v => $"a holds {v}\n{s.DaemonLog}");
        // a has c's version and overwrites it: c outranks a, but a's write came after c's. b gets a's write first.
        await s.ExecAsync("a", "UPDATE kv SET v = 'a after c' WHERE k = 9");
        await Poll.UntilAsync(() => s.ScalarAsync<string>("b", "SELECT v FROM kv WHERE k = 9"), v => v == "a after c", 30, v => $"b holds {v}\n{s.DaemonLog}");
        (await s.ScalarAsync<string>("b", "SELECT v FROM kv WHERE k = 2")).ShouldBe("orig");
        await tx.RollbackAsync(TestContext.Current.CancellationToken);
        await s.WaitAsync(sync);

        foreach (var node in new[] { "a", "b", "c" })
            (await s.RowsAsync(node, "kv")).ShouldBe(["(2,c)", "(9,\"a after c\")"], $"on {node}\n{s.DaemonLog}");
    }

    [Fact]
    public async Task A_write_made_knowing_a_row_but_not_a_later_delete_it_beat_loses_to_that_delete_on_every_node()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "c");
        await s.ExecAllAsync("CREATE TABLE kv (k int PRIMARY KEY, v text); INSERT INTO kv VALUES (9, 'orig'), (2, 'orig'), (3, 'orig')");
        await s.AddNodesAsync();
        var sync = "pl" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "kv", "--source", "a", "--source", "b", "--source", "c", "--copy", "never", "--conflict", "priority:b,c,a@60s")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync);
        var ct = TestContext.Current.CancellationToken;

        // Held rows stop one link each: b's transactions (row 3 first: an applier locks rows in key order) on c, c's (row 2
        // first) on a and on b.
        var held = new Dictionary<string, (NpgsqlConnection Conn, NpgsqlTransaction Tx)>();
        foreach (var (node, k) in new[] { ("c", 3), ("a", 2), ("b", 2) })
        {
            var conn = await s.OpenAsync(node);
            var tx = await conn.BeginTransactionAsync(ct);
            await using (var hold = new NpgsqlCommand($"SELECT v FROM kv WHERE k = {k} FOR UPDATE", conn, tx))
                await hold.ExecuteScalarAsync(ct);
            held[node] = (conn, tx);
        }
        try
        {
            // b's version of row 9 reaches a; c, not having it, deletes row 9 later.
            await s.ExecAsync("b", "BEGIN; UPDATE kv SET v = 'b' WHERE k = 3; UPDATE kv SET v = 'b' WHERE k = 9; COMMIT");
            await Poll.UntilAsync(() => s.ScalarAsync<string>("a", "SELECT v FROM kv WHERE k = 9"), v => v == "b", 30, v => $"a holds {v}\n{s.DaemonLog}");
            await s.ExecAsync("c", "BEGIN; UPDATE kv SET v = 'c' WHERE k = 2; DELETE FROM kv WHERE k = 9; COMMIT");
            // On b the delete loses to b's row (b ranks first) and is kept as a tombstone.
            await ReleaseAsync("b");
            await Poll.UntilAsync(() => s.ScalarAsync<string>("b", "SELECT v FROM kv WHERE k = 2"), v => v == "c", 30, v => $"b holds {v}\n{s.DaemonLog}");
            (await s.ScalarAsync<string>("b", "SELECT v FROM kv WHERE k = 9")).ShouldBe("b");
            // a overwrites b's row, not knowing c's delete: it replaces b's row, but the delete, later and ranked above a, still beats it.
            await s.ExecAsync("a", "UPDATE kv SET v = 'a after b' WHERE k = 9");
            await Poll.UntilAsync(() => s.ScalarAsync<string?>("b", "SELECT coalesce(v, 'gone') FROM (SELECT 1) x LEFT JOIN kv ON k = 9"), v => v != "b", 30, v => $"b holds {v}\n{s.DaemonLog}");
        }
        finally
        {
            foreach (var node in held.Keys.ToList())
                await ReleaseAsync(node);
        }
        await s.WaitAsync(sync);

        foreach (var node in new[] { "a", "b", "c" })
            (await s.RowsAsync(node, "kv")).ShouldBe(["(2,c)", "(3,b)"], $"on {node}\n{s.DaemonLog}");

        async Task ReleaseAsync(string node)
        {
            if (!held.Remove(node, out var h))
                return;
            await h.Tx.RollbackAsync(ct);
            await h.Conn.DisposeAsync();
        }
    }
}
