using System.Text.Json;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Each strategy against each conflict kind, deterministically: the sync is paused, node a writes first and node b
/// second (so b's versions are the newer ones), then the sync resumes. Keys: 10 insert/insert, 1 update/update,
/// 2 a-updates/b-deletes, 3 a-deletes/b-updates.
/// </summary>
public class ConflictStrategyTests(SharedClusters clusters)
{
    const string Custom = """
        CREATE TABLE calls (tbl text, local_row jsonb, remote_row jsonb, local_ts timestamptz, remote_ts timestamptz);
        CREATE FUNCTION public.merge_kv(tbl text, local_row jsonb, remote_row jsonb, local_ts timestamptz, remote_ts timestamptz) RETURNS jsonb
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO calls VALUES (tbl, local_row, remote_row, local_ts, remote_ts);
            -- Symmetric, so every node computes the same row: a deletion loses, otherwise the greater v wins.
            IF local_row IS NULL THEN RETURN remote_row; END IF;
            IF remote_row IS NULL THEN RETURN local_row; END IF;
            IF local_row->>'v' >= remote_row->>'v' THEN RETURN local_row; END IF;
            RETURN remote_row;
        END $$;
        """;

    sealed record Outcome(Dictionary<string, Dictionary<int, string>> Rows, List<JsonElement> Conflicts, Scenario Scenario);

    async Task<Outcome> RunAsync(string strategy)
    {
        var s = await Scenario.CreateAsync(clusters, "a", "b");
        try
        {
            return await RunAsync(s, strategy);
        }
        catch
        {
            await s.DisposeAsync();
            throw;
        }
    }

    static async Task<Outcome> RunAsync(Scenario s, string strategy)
    {
        var sync = "cs" + s.Id.Replace("_", "", StringComparison.Ordinal);
        await s.ExecAllAsync("CREATE TABLE kv (k int PRIMARY KEY, v text)" + (strategy.StartsWith("custom", StringComparison.Ordinal) ? ";" + Custom : ""));
        await s.ExecAllAsync("INSERT INTO kv VALUES (1, 'orig'), (2, 'orig'), (3, 'orig'), (4, 'orig')");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "kv", "--source", "a", "--source", "b", "--copy", "never", "--conflict", strategy)).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync);
        (await s.Ibex("sync", "pause", sync)).ShouldSucceed();
        await s.ExecAsync("a", "INSERT INTO kv VALUES (10, 'a'); UPDATE kv SET v = 'a' WHERE k IN (1, 2); DELETE FROM kv WHERE k = 3;");
        await Task.Delay(20);
        await s.ExecAsync("b", "INSERT INTO kv VALUES (10, 'b'); UPDATE kv SET v = 'b' WHERE k IN (1, 3); DELETE FROM kv WHERE k = 2;");
        (await s.Ibex("sync", "resume", sync)).ShouldSucceed();
        await s.WaitAsync(sync);
        var rows = new Dictionary<string, Dictionary<int, string>>();
        foreach (var n in new[] { "a", "b" })
        {
            rows[n] = [];
            foreach (var r in await s.RowsAsync(n, "kv", "1"))
            {
                var parts = r.Trim('(', ')').Split(',');
                rows[n][int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)] = parts[1];
            }
        }
        // The conflict log is written in the background: wait (bounded) until both nodes' conflicts are there.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<JsonElement> conflicts;
        do
        {
            conflicts = [.. JsonDocument.Parse((await s.Ibex("conflicts", sync, "--json")).Output).RootElement.EnumerateArray()];
            if (conflicts.Count >= 8)
                break;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        conflicts.ShouldNotBeEmpty(s.DaemonLog);
        return new Outcome(rows, conflicts, s);
    }

    static void ShouldHaveConflict(Outcome o, string node, int key, string kind, string winner)
    {
        var found = o.Conflicts.Where(c => c.GetProperty("node").GetString() == node && c.GetProperty("key").GetString()!.Contains($"\"{key}\"", StringComparison.Ordinal)).ToList();
        found.ShouldContain(c => c.GetProperty("kind").GetString() == kind && c.GetProperty("winner").GetString() == winner,
            $"on {node}, key {key}: expected {kind} won by {winner}; log: {string.Join("; ", o.Conflicts.Select(c => $"{c.GetProperty("node")} {c.GetProperty("key")} {c.GetProperty("kind")} {c.GetProperty("winner")}"))}");
    }

    static void ShouldHold(Outcome o, string node, IDictionary<int, string> expected)
        => o.Rows[node].OrderBy(x => x.Key).ShouldBe(expected.OrderBy(x => x.Key), $"rows on {node}\n{o.Scenario.DaemonLog}");

    [Fact]
    public async Task Latest_lets_the_newer_version_win_on_every_node()
    {
        var o = await RunAsync("latest");
        await using var _ = o.Scenario;
        var expected = new Dictionary<int, string> { [1] = "b", [3] = "b", [4] = "orig", [10] = "b" };
        ShouldHold(o, "a", expected);
        ShouldHold(o, "b", expected);
        ShouldHaveConflict(o, "a", 10, "insert_exists", "remote");
        ShouldHaveConflict(o, "b", 10, "insert_exists", "local");
        ShouldHaveConflict(o, "a", 1, "update_origin_differs", "remote");
        ShouldHaveConflict(o, "b", 1, "update_origin_differs", "local");
        ShouldHaveConflict(o, "a", 2, "delete_origin_differs", "remote");
        ShouldHaveConflict(o, "b", 2, "update_deleted", "local");
        ShouldHaveConflict(o, "a", 3, "update_deleted", "remote");
        ShouldHaveConflict(o, "b", 3, "delete_origin_differs", "local");
    }

    [Fact]
    public async Task Priority_lets_the_first_listed_node_win_on_every_node()
    {
        var o = await RunAsync("priority:a,b");
        await using var _ = o.Scenario;
        var expected = new Dictionary<int, string> { [1] = "a", [2] = "a", [4] = "orig", [10] = "a" };
        ShouldHold(o, "a", expected);
        ShouldHold(o, "b", expected);
        ShouldHaveConflict(o, "b", 10, "insert_exists", "remote");
        ShouldHaveConflict(o, "a", 1, "update_origin_differs", "local");
        ShouldHaveConflict(o, "b", 2, "update_deleted", "remote");
        ShouldHaveConflict(o, "a", 3, "update_deleted", "local");
    }

    [Fact]
    public async Task Keep_local_keeps_each_nodes_own_version()
    {
        var o = await RunAsync("keep-local");
        await using var _ = o.Scenario;
        ShouldHold(o, "a", new Dictionary<int, string> { [1] = "a", [2] = "a", [4] = "orig", [10] = "a" });
        ShouldHold(o, "b", new Dictionary<int, string> { [1] = "b", [3] = "b", [4] = "orig", [10] = "b" });
        ShouldHaveConflict(o, "a", 10, "insert_exists", "local");
        ShouldHaveConflict(o, "b", 1, "update_origin_differs", "local");
        ShouldHaveConflict(o, "a", 2, "delete_origin_differs", "local");
        ShouldHaveConflict(o, "b", 3, "delete_origin_differs", "local");
    }

    [Fact]
    public async Task Custom_function_gets_the_documented_arguments_and_its_row_lands_everywhere()
    {
        var o = await RunAsync("custom:public.merge_kv");
        await using var _ = o.Scenario;
        var expected = new Dictionary<int, string> { [1] = "b", [2] = "a", [3] = "b", [4] = "orig", [10] = "b" };
        ShouldHold(o, "a", expected);
        ShouldHold(o, "b", expected);
        ShouldHaveConflict(o, "a", 10, "insert_exists", "custom");
        ShouldHaveConflict(o, "b", 2, "update_deleted", "custom");
        var s = o.Scenario;
        (await s.ScalarAsync<long>("b", "SELECT count(*) FROM calls WHERE tbl = 'public.kv' AND local_row->>'k' = '10' AND remote_row->>'v' = 'a' AND local_ts < remote_ts IS FALSE")).ShouldBe(1);
        (await s.ScalarAsync<long>("a", "SELECT count(*) FROM calls WHERE tbl = 'public.kv' AND (remote_row->>'k')::int = 10 AND remote_row->>'v' = 'b' AND local_row->>'v' = 'a' AND local_ts < remote_ts")).ShouldBe(1);
        (await s.ScalarAsync<long>("b", "SELECT count(*) FROM calls WHERE local_row IS NULL AND remote_row->>'v' = 'a'")).ShouldBe(1);
    }

    [Fact]
    public async Task Abort_stops_only_its_sync_shows_the_conflict_and_resumes_once_resolved()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync("CREATE TABLE kv (k int PRIMARY KEY, v text); CREATE TABLE other (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        var ab = "ab" + s.Id.Replace("_", "", StringComparison.Ordinal);
        var side = "side" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", ab, "--tables", "kv", "--source", "a", "--source", "b", "--copy", "never", "--conflict", "abort")).ShouldSucceed();
        (await s.Ibex("sync", "add", side, "--tables", "other", "--source", "a", "--target", "b", "--copy", "never")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(ab);
        (await s.Ibex("sync", "pause", ab)).ShouldSucceed();
        await s.ExecAsync("a", "INSERT INTO kv VALUES (1, 'a')");
        await s.ExecAsync("b", "INSERT INTO kv VALUES (1, 'b')");
        (await s.Ibex("sync", "resume", ab)).ShouldSucceed();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        // The first link to meet the conflict stops the whole sync; the other direction may or may not have met its
        // side of it by then. Resuming resolves the row either way.
        while (!(await s.Ibex("conflicts", ab)).Output.Contains("aborted (unresolved)", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        while (!(await s.Ibex("status", ab)).Output.Contains($"sync {ab}: paused", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var status = (await s.Ibex("status", ab)).Output;
        status.ShouldContain($"sync {ab}: paused", customMessage: status + s.DaemonLog);
        status.ShouldContain("insert_exists", customMessage: status);
        status.ShouldContain("strategy abort", customMessage: status);
        // Nothing past the conflict was applied, and the other sync keeps going.
        (await s.RowsAsync("a", "kv")).ShouldBe(["(1,a)"]);
        (await s.RowsAsync("b", "kv")).ShouldBe(["(1,b)"]);
        await s.ExecAsync("a", "INSERT INTO other VALUES (1)");
        await s.WaitAsync(side);
        (await s.RowsAsync("b", "other")).ShouldBe(["(1)"]);

        // The operator fixes the row (here on b, newest), and resumes: the newest version wins everywhere.
        await s.ExecAsync("b", "UPDATE kv SET v = 'fixed' WHERE k = 1");
        (await s.Ibex("sync", "resume", ab)).ShouldSucceed().Output.ShouldContain("marked resolved");
        await s.WaitAsync(ab);
        await s.ExecAsync("a", "INSERT INTO kv VALUES (2, 'after')");
        await s.WaitAsync(ab);
        (await s.RowsAsync("a", "kv")).ShouldBe(["(1,fixed)", "(2,after)"]);
        await s.ShouldMatchAsync("kv", "k", "a", "b");
    }
}
