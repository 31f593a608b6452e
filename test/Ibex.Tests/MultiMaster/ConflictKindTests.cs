using System.Text.Json;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Every conflict kind under every strategy, on real servers, table-driven: one pair of nodes, one sync per strategy
/// (each over its own schema with the same two tables), paused while node a writes and then node b (so b's versions
/// are newer, within priority's window), then resumed. Each case states the rows both nodes end with and the kinds
/// each node logs.
/// </summary>
/// <remarks>
/// Keys of kv: 10 both insert (insert_exists); 1 both update (update_origin_differs); 2 a updates, b deletes and 3 the
/// reverse (delete_origin_differs / update_deleted); 4 both delete (delete_missing); 5 exists on a only, a updates it
/// (update_missing); 6, 7, 8 a changes the key to 60, 70, 80 while b updates 6, deletes 7, inserts 80. Table uq has two
/// unique columns: a inserts 20 and b 21 with the same u1 (insert_exists on another key); a inserts 30 and 31, b inserts
/// 32 holding u1 of 30 and u2 of 31 (multiple_unique_conflicts); a sets 40's u1 and b sets 41's to the same value (update_exists).
/// </remarks>
public class ConflictKindTests(SharedClusters clusters)
{
    const string Custom = """
        CREATE FUNCTION public.keep_greater_v(tbl text, local_row jsonb, remote_row jsonb, local_ts timestamptz, remote_ts timestamptz) RETURNS jsonb
        LANGUAGE sql AS $$
            -- Symmetric, so every node computes the same row: a deletion loses, otherwise the greater v wins.
            SELECT CASE WHEN local_row IS NULL THEN remote_row WHEN remote_row IS NULL THEN local_row
                        WHEN local_row->>'v' >= remote_row->>'v' THEN local_row ELSE remote_row END
        $$;
        """;

    const string Tables = """
        CREATE TABLE {0}.kv (k int PRIMARY KEY, v text);
        CREATE TABLE {0}.uq (k int PRIMARY KEY, u1 int UNIQUE, u2 int UNIQUE, v text);
        INSERT INTO {0}.kv VALUES (1, 'orig'), (2, 'orig'), (3, 'orig'), (4, 'orig'), (6, 'orig'), (7, 'orig'), (8, 'orig');
        INSERT INTO {0}.uq VALUES (40, 40, 40, 'orig'), (41, 41, 41, 'orig');
        """;

    const string WritesOnA = """
        INSERT INTO {0}.kv VALUES (10, 'a'); UPDATE {0}.kv SET v = 'a' WHERE k IN (1, 2, 5); DELETE FROM {0}.kv WHERE k IN (3, 4);
        UPDATE {0}.kv SET k = 60 WHERE k = 6; UPDATE {0}.kv SET k = 70 WHERE k = 7; UPDATE {0}.kv SET k = 80, v = 'a' WHERE k = 8;
        INSERT INTO {0}.uq VALUES (20, 2, 20, 'a'), (30, 3, 31, 'a'), (31, 31, 3, 'a'); UPDATE {0}.uq SET u1 = 99 WHERE k = 40;
        """;

    const string WritesOnB = """
        INSERT INTO {0}.kv VALUES (10, 'b'); UPDATE {0}.kv SET v = 'b' WHERE k IN (1, 3, 6); DELETE FROM {0}.kv WHERE k IN (2, 4, 7);
        INSERT INTO {0}.kv VALUES (80, 'b');
        INSERT INTO {0}.uq VALUES (21, 2, 21, 'b'), (32, 3, 3, 'b'); UPDATE {0}.uq SET u1 = 99 WHERE k = 41;
        """;

    /// <summary>What one strategy must leave: rows of kv and uq on each node, and (node, table, key, kind, winner) logged.</summary>
    sealed record Case(string Strategy, string Schema, string KvA, string UqA, string KvB, string UqB, string[] Conflicts);

    const string LatestKv = "(1,b) (3,b) (5,a) (6,b) (10,b) (60,orig) (70,orig) (80,b)";
    const string LatestUq = "(21,2,21,b) (32,3,3,b) (41,99,41,orig)";

    static readonly Case[] Cases =
    [
        new("latest", "s_latest", LatestKv, LatestUq, LatestKv, LatestUq,
        [
            "a kv 10 insert_exists remote", "b kv 10 insert_exists local", "a kv 1 update_origin_differs remote", "b kv 1 update_origin_differs local",
            "a kv 2 delete_origin_differs remote", "b kv 2 update_deleted local", "a kv 3 update_deleted remote", "b kv 3 delete_origin_differs local",
            "a kv 4 delete_missing remote", "b kv 4 delete_missing remote", "b kv 5 update_missing remote",
            "a kv 6 update_deleted remote", "b kv 6 update_origin_differs local", "a kv 7 delete_missing remote", "b kv 7 update_deleted local",
            "a kv 80 insert_exists remote", "b kv 8 update_exists local",
            "a uq 21 insert_exists remote", "b uq 20 insert_exists local", "a uq 32 multiple_unique_conflicts remote", "b uq 30 insert_exists local",
            "b uq 31 insert_exists local", "a uq 41 update_exists remote", "b uq 40 update_exists local",
        ]),
        new("priority:a,b", "s_priority", "(1,a) (2,a) (5,a) (10,a) (60,orig) (70,orig) (80,a)", "(20,2,20,a) (30,3,31,a) (31,31,3,a) (40,99,40,orig)",
            "(1,a) (2,a) (5,a) (10,a) (60,orig) (70,orig) (80,a)", "(20,2,20,a) (30,3,31,a) (31,31,3,a) (40,99,40,orig)",
        [
            "a kv 10 insert_exists local", "b kv 10 insert_exists remote", "a kv 1 update_origin_differs local", "b kv 1 update_origin_differs remote",
            "a kv 2 delete_origin_differs local", "b kv 2 update_deleted remote", "a kv 3 update_deleted local", "b kv 3 delete_origin_differs remote",
            "a kv 4 delete_missing remote", "b kv 4 delete_missing remote", "b kv 5 update_missing remote",
            "a kv 6 update_deleted local", "b kv 6 update_origin_differs remote", "a kv 7 delete_missing remote", "b kv 7 update_deleted remote",
            "a kv 80 insert_exists local", "b kv 8 update_exists remote",
            "a uq 21 insert_exists local", "b uq 20 insert_exists remote", "a uq 32 multiple_unique_conflicts local", "b uq 30 insert_exists remote",
            "a uq 41 update_exists local", "b uq 40 update_exists remote",
        ]),
        new("keep-local", "s_keep",
            "(1,a) (2,a) (5,a) (10,a) (60,orig) (70,orig) (80,a)", "(20,2,20,a) (30,3,31,a) (31,31,3,a) (40,99,40,orig)",
            "(1,b) (3,b) (5,a) (6,b) (10,b) (60,orig) (70,orig) (80,b)", "(21,2,21,b) (32,3,3,b) (41,99,41,orig)",
        [
            "a kv 10 insert_exists local", "b kv 10 insert_exists local", "a kv 1 update_origin_differs local", "b kv 1 update_origin_differs local",
            "a kv 2 delete_origin_differs local", "b kv 2 update_deleted local", "a kv 3 update_deleted local", "b kv 3 delete_origin_differs local",
            "a kv 4 delete_missing remote", "b kv 4 delete_missing remote", "b kv 5 update_missing remote",
            "a kv 6 update_deleted local", "b kv 6 update_origin_differs local", "a kv 7 delete_missing remote", "b kv 7 update_deleted local",
            "a kv 80 insert_exists local", "b kv 8 update_exists local",
            "a uq 21 insert_exists local", "b uq 20 insert_exists local", "a uq 32 multiple_unique_conflicts local", "b uq 30 insert_exists local",
            "b uq 31 insert_exists local", "a uq 41 update_exists local", "b uq 40 update_exists local",
        ]),
        new("custom:public.keep_greater_v", "s_custom",
            "(1,b) (2,a) (3,b) (5,a) (6,b) (10,b) (60,orig) (70,orig) (80,b)", LatestUq,
            "(1,b) (2,a) (3,b) (5,a) (6,b) (10,b) (60,orig) (70,orig) (80,b)", LatestUq,
        [
            "a kv 10 insert_exists custom", "b kv 10 insert_exists custom", "a kv 1 update_origin_differs custom", "b kv 1 update_origin_differs custom",
            "a kv 2 delete_origin_differs custom", "b kv 2 update_deleted custom", "a kv 3 update_deleted custom", "b kv 3 delete_origin_differs custom",
            "a kv 4 delete_missing remote", "b kv 4 delete_missing remote", "b kv 5 update_missing remote",
            "a kv 6 update_deleted custom", "b kv 6 update_origin_differs local", "a kv 7 delete_missing remote", "b kv 7 update_deleted local",
            "a kv 80 insert_exists custom", "b kv 8 update_exists local",
            "a uq 21 insert_exists remote", "b uq 20 insert_exists local", "a uq 32 multiple_unique_conflicts remote", "b uq 30 insert_exists local",
            "b uq 31 insert_exists local", "a uq 41 update_exists remote", "b uq 40 update_exists local",
        ]),
        // abort: each conflicting key stops the sync once (on whichever node meets it first); resumed, it is decided as latest.
        new("abort", "s_abort", LatestKv, LatestUq, LatestKv, LatestUq,
        [
            "* kv 10 * aborted", "* kv 1 * aborted", "* kv 2 * aborted", "* kv 3 * aborted", "* kv 6 * aborted", "b kv 7 update_deleted aborted",
            "* kv 8* * aborted", "* uq 2* * aborted", "a uq 32 multiple_unique_conflicts aborted", "b uq 30 insert_exists aborted",
            "* uq 4* update_exists aborted", "a kv 4 delete_missing remote", "b kv 5 update_missing remote",
        ]),
    ];

    [Fact]
    public async Task Every_kind_is_detected_logged_and_resolved_by_every_strategy()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync(Custom + string.Concat(Cases.Select(c => $"CREATE SCHEMA {c.Schema};" + string.Format(System.Globalization.CultureInfo.InvariantCulture, Tables, c.Schema))));
        await s.ExecAsync("a", string.Concat(Cases.Select(c => $"INSERT INTO {c.Schema}.kv VALUES (5, 'only-a');")));
        await s.AddNodesAsync();
        var id = s.Id.Replace("_", "", StringComparison.Ordinal);
        string Sync(Case c) => c.Schema.Replace("_", "", StringComparison.Ordinal) + id;
        foreach (var c in Cases)
            (await s.Ibex("sync", "add", Sync(c), "--tables", c.Schema + ".*", "--source", "a", "--source", "b", "--copy", "never", "--conflict", c.Strategy)).ShouldSucceed();
        s.StartDaemon();
        foreach (var c in Cases)
        {
            await s.WaitAsync(Sync(c));
            (await s.Ibex("sync", "pause", Sync(c))).ShouldSucceed();
        }
        foreach (var c in Cases)
        {
            await s.ExecAsync("a", string.Format(System.Globalization.CultureInfo.InvariantCulture, WritesOnA, c.Schema));
            await s.ExecAsync("b", string.Format(System.Globalization.CultureInfo.InvariantCulture, WritesOnB, c.Schema));
        }
        foreach (var c in Cases)
            (await s.Ibex("sync", "resume", Sync(c))).ShouldSucceed();
        foreach (var c in Cases.Where(c => c.Strategy != "abort"))
            await s.WaitAsync(Sync(c));
        await ResumeEachAbortAsync(s, Sync(Cases.Single(c => c.Strategy == "abort")));

        var failures = new List<string>();
        foreach (var c in Cases)
        {
            foreach (var (node, table, expected) in new[] { ("a", "kv", c.KvA), ("a", "uq", c.UqA), ("b", "kv", c.KvB), ("b", "uq", c.UqB) })
            {
                var rows = string.Join(" ", await s.RowsAsync(node, $"{c.Schema}.{table}", "k"));
                if (rows != expected)
                    failures.Add($"{c.Strategy}: {table} on {node} is {rows}, expected {expected}");
            }
            var logged = await LoggedAsync(s, Sync(c), c.Conflicts);
            foreach (var want in c.Conflicts)
                if (!logged.Any(l => Matches(l, want)))
                    failures.Add($"{c.Strategy}: no conflict '{want}'; logged: {string.Join(", ", logged)}");
        }
        failures.ShouldBeEmpty(string.Join("\n", failures) + "\n" + s.DaemonLog);
    }

    // "node table key kind winner", each part possibly * (any), a key possibly ending in * (a prefix).
    static bool Matches(string logged, string want)
        => logged.Split(' ').Zip(want.Split(' ')).All(p => p.Second == "*" || p.Second == p.First || (p.Second.EndsWith('*') && p.First.StartsWith(p.Second[..^1], StringComparison.Ordinal)));

    /// <summary>
    /// The sync's conflicts as "node table key kind winner", once every wanted one is logged (they are written in the
    /// background, and a count is not enough: conflicts decided again after a resume add entries of their own); what
    /// was logged when the wait ends otherwise.
    /// </summary>
    static async Task<List<string>> LoggedAsync(Scenario s, string sync, IReadOnlyList<string> wanted)
        => await Poll.UntilAsync(
            async () => JsonDocument.Parse((await s.Ibex("conflicts", sync, "--json", "--limit", "1000")).Output).RootElement.EnumerateArray()
                .Select(e => string.Join(' ', e.GetProperty("node").GetString(), e.GetProperty("table").GetString(),
                    JsonDocument.Parse(e.GetProperty("key").GetString()!).RootElement.GetProperty("k").GetString(), e.GetProperty("kind").GetString(), e.GetProperty("winner").GetString()))
                .ToList(),
            l => wanted.All(w => l.Any(x => Matches(x, w))), 20, l => $"{sync}: {l.Count} conflicts logged: {string.Join(", ", l)}; missing {string.Join(", ", wanted.Where(w => !l.Any(x => Matches(x, w))))}");

    /// <summary>Strategy abort: each conflict pauses the sync; the operator resumes it (marking it resolved) until it catches up.</summary>
    static async Task ResumeEachAbortAsync(Scenario s, string sync)
    {
        await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        var deadline = DateTime.UtcNow.AddSeconds(180);
        var resumes = 0;
        while (true)
        {
            var unresolved = await control.ScalarAsync<long>("SELECT count(*) FROM ibex.conflict WHERE sync = $1 AND winner = 'aborted' AND NOT resolved", sync);
            var paused = (await s.Ibex("status", sync)).Output.Contains($"sync {sync}: paused", StringComparison.Ordinal);
            if (unresolved > 0 || paused)
            {
                (await s.Ibex("sync", "resume", sync)).ShouldSucceed();
                resumes++;
            }
            else if ((await s.Ibex("wait", sync, "--timeout", "5")).ExitCode == 0
                && await control.ScalarAsync<long>("SELECT count(*) FROM ibex.conflict WHERE sync = $1 AND winner = 'aborted' AND NOT resolved", sync) == 0
                && !(await s.Ibex("status", sync)).Output.Contains($"sync {sync}: paused", StringComparison.Ordinal))
                break;
            if (DateTime.UtcNow > deadline)
                throw new ShouldAssertException($"sync {sync} (abort) did not catch up after {resumes} resumes\n{s.DaemonLog}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        TestContext.Current.SendDiagnosticMessage($"abort: {resumes} resumes");
    }
}
