using System.Globalization;
using System.Text;
using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// The multi-master proof at scale: four writable nodes, two writers each on overlapping keys (inserts, updates,
/// deletes, key changes, values of a secondary unique column), the daemon SIGKILLed at random, one node's server restarted, a fifth node added
/// (<c>sync add-node</c>, copied from a) and one removed (<c>sync remove-node</c>) while every node writes; afterwards
/// <c>ibex compare</c> finds no differing row. Two minutes here; the benchmark runs the same for ten
/// (<c>IBEX_MESH_SECONDS=600</c>, bench/run.sh --only MESH) and reports writes and conflicts per kind.
/// </summary>
public class MeshChaosTests(SharedClusters clusters)
{
    static readonly string[] Names = ["a", "b", "c", "d", "e"];

    // Which writes the writers make (i insert, d delete, k key change, u values of the unique column written on several
    // nodes; updates always). IBEX_MESH_MIX overrides the mix (idku), for narrowing a failure down.
    static string MixOf(string mix) => Environment.GetEnvironmentVariable("IBEX_MESH_MIX") ?? mix;

    static int Seconds => int.TryParse(Environment.GetEnvironmentVariable("IBEX_MESH_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 120;

    [Fact]
    public async Task Four_nodes_converge_through_daemon_kills_a_node_restart_a_join_and_a_leave()
    {
        var mix = MixOf("idku");
        // Node d has a server of its own: it is stopped and started again mid-run.
        await using var own = await LocalCluster.StartAsync("mesh-d", cancellationToken: TestContext.Current.CancellationToken);
        var shared = new[] { await clusters.GetAsync(0), await clusters.GetAsync(1), await clusters.GetAsync(2) };
        await using var s = await Scenario.CreateAsync(shared[0], ("a", shared[0]), ("b", shared[1]), ("c", shared[2]), ("d", own), ("e", shared[1]));
        await s.ExecAllAsync("CREATE TABLE kv (k int PRIMARY KEY, u text UNIQUE, v int NOT NULL, note text)");
        if (MeshDiagnosis.KeepsHistory)
            await s.ExecAllAsync(MeshDiagnosis.HistorySql);
        await s.AddNodesAsync();
        var sync = "mesh" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "kv", "--source", "a", "--source", "b", "--source", "c", "--source", "d", "--copy", "never", "--conflict", "latest")).ShouldSucceed();

        var log = new StringBuilder();
        var daemon = DaemonProcess.Start(s.ControlDsn, log, "--heartbeat", "1s", "--tombstone-retention", "30m");
        using var stop = new CancellationTokenSource();
        var writes = new long[Names.Length * 2];
        var refused = new long[Names.Length * 2];
        var stops = Names.ToDictionary(n => n, _ => CancellationTokenSource.CreateLinkedTokenSource(stop.Token));
        var writers = new List<Task>();
        void StartWriters(string node)
        {
            var i = Array.IndexOf(Names, node);
            writers.Add(Task.Run(() => WriteAsync(s, node, 2 * i, mix, writes, refused, stops[node].Token)));
            writers.Add(Task.Run(() => WriteAsync(s, node, 2 * i + 1, mix, writes, refused, stops[node].Token)));
        }
        foreach (var n in new[] { "a", "b", "c", "d" })
            StartWriters(n);
        var random = new Random(11);
        var started = DateTime.UtcNow;
        var duration = TimeSpan.FromSeconds(Seconds);
        var restarted = false;
        var added = false;
        var removed = false;
        var members = new List<string> { "a", "b", "c", "d" };
        try
        {
            while (DateTime.UtcNow - started < duration)
            {
                await Task.Delay(random.Next(8_000, 16_000), TestContext.Current.CancellationToken);
                var elapsed = DateTime.UtcNow - started;
                if (!added && elapsed > duration / 4)
                {
                    // Node e joins while every node writes: one copy from a, then every node's changes; then it writes too.
                    added = true;
                    var add = await s.Ibex("sync", "add-node", sync, "e", "--source", "--copy-from", "a");
                    add.ExitCode.ShouldBe(0, add.Output + add.Error);
                    members.Add("e");
                    StartWriters("e");
                    continue;
                }
                if (!restarted && elapsed > duration / 2)
                {
                    // Node d goes away for a few seconds under writes (its writers get errors and retry) and comes back.
                    restarted = true;
                    await own.StopServerAsync("immediate", TestContext.Current.CancellationToken);
                    await Task.Delay(3_000, TestContext.Current.CancellationToken);
                    await own.StartServerAsync(TestContext.Current.CancellationToken);
                    continue;
                }
                if (!removed && elapsed > duration * 3 / 4)
                {
                    // Node b leaves while the others write: its writers stop first, as an application moved away would.
                    removed = true;
                    await stops["b"].CancelAsync();
                    var remove = await s.Ibex("sync", "remove-node", sync, "b");
                    remove.ExitCode.ShouldBe(0, remove.Output + remove.Error);
                    members.Remove("b");
                    continue;
                }
                await daemon.KillAsync();
                await daemon.DisposeAsync();
                daemon = DaemonProcess.Start(s.ControlDsn, log, "--heartbeat", "1s", "--tombstone-retention", "30m");
            }
            await stop.CancelAsync();
            await Task.WhenAll(writers);

            // The daemon catches up after the writers stop: what a run leaves behind grows with its length (kills
            // every 8-16 s; on two cores the writers outrun the applier), so the bound does too: 2 minutes took
            // 93-260 s to catch up on 2026-12-04, 10 minutes 886 s.
            var stopped = DateTime.UtcNow;
            var waited = await s.Ibex("wait", sync, "--timeout", Math.Max(180, 3 * Seconds).ToString(CultureInfo.InvariantCulture));
            var caughtUp = (DateTime.UtcNow - stopped).TotalSeconds;
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, $"mesh-{sync}.log"), log.ToString());
            waited.ExitCode.ShouldBe(0, $"{waited.Error}\n{log}");
            var compare = await s.Ibex("compare", sync);
            if (compare.ExitCode != 0)
                compare.ExitCode.ShouldBe(0, compare.Output + compare.Error + "\n" + await MeshDiagnosis.DescribeAsync(s, sync, members));
            await s.ShouldMatchAsync("kv", "k", [.. members]);

            await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
            var kinds = new List<string>();
            await using (var cmd = new NpgsqlCommand("SELECT kind, count(*) FROM ibex.conflict WHERE sync = $1 GROUP BY kind ORDER BY kind", control))
            {
                cmd.Parameters.Add(new() { Value = sync });
                await using var r = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
                while (await r.ReadAsync(TestContext.Current.CancellationToken))
                    kinds.Add($"{r.GetString(0)} {r.GetInt64(1)}");
            }
            var rows = await s.ScalarAsync<long>("a", "SELECT count(*) FROM kv");
            var message = $"mesh ({mix}): {Seconds} s, 4 nodes x 2 writers, node e added and b removed under writes, d restarted, {writes.Sum()} writes ({refused.Sum()} refused by the node: unique or lock), caught up {caughtUp:F0} s after the writers stopped, "
                + $"conflicts by kind: {(kinds.Count == 0 ? "none" : string.Join(", ", kinds))}; {rows} rows on every node; compare: 0 differing rows";
            TestContext.Current.SendDiagnosticMessage(message);
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "mesh-result.txt"), message + Environment.NewLine);
            writes.Sum().ShouldBeGreaterThan(1000);
            (added && removed).ShouldBeTrue("the run was too short to add and remove a node");
            kinds.ShouldNotBeEmpty();
        }
        finally
        {
            await stop.CancelAsync();
            await daemon.DisposeAsync();
            foreach (var t in stops.Values)
                t.Dispose();
        }
    }

    // One writer: random inserts, updates, deletes, key changes and changes of the unique column on keys 1..300.
    static async Task WriteAsync(Scenario s, string node, int index, string mix, long[] writes, long[] refused, CancellationToken stop)
    {
        var random = new Random(500 + index);
        var (cluster, db) = s.Node(node);
        NpgsqlConnection? conn = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var k = random.Next(1, 301);
                var op = random.Next(20);
                if ((op < 7 && !mix.Contains('i')) || (op is >= 13 and < 15 && !mix.Contains('u')) || (op is >= 15 and < 17 && !mix.Contains('k')) || (op >= 17 && !mix.Contains('d')))
                    op = 10;
                var sql = op switch
                {
                    < 7 => $"INSERT INTO kv VALUES ({k}, {(mix.Contains('u') ? $"'u{random.Next(450)}'" : "NULL")}, {random.Next(1000)}, 'ins {node}{index}') ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, note = 'upsert {node}{index}'",
                    < 13 => $"UPDATE kv SET v = v + 1, note = 'upd {node}{index}' WHERE k = {k}",
                    < 15 => $"UPDATE kv SET u = 'u{random.Next(450)}' WHERE k = {k}",
                    < 17 => $"UPDATE kv SET k = {random.Next(1, 301)}, note = 'moved by {node}{index}' WHERE k = {k}",
                    _ => $"DELETE FROM kv WHERE k = {k}",
                };
                try
                {
                    if (conn is null)
                    {
                        conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
                        await conn.OpenAsync(stop);
                    }
                    await using var cmd = new NpgsqlCommand(sql, conn);
                    await cmd.ExecuteNonQueryAsync(stop);
                    writes[index]++;
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
                {
                    refused[index]++; // like an application whose write was refused: it moves on
                }
                catch (Exception e) when (e is NpgsqlException or IOException && !stop.IsCancellationRequested)
                {
                    // The node was restarted: connect again.
                    if (conn is not null)
                        await conn.DisposeAsync();
                    conn = null;
                    await Task.Delay(200, CancellationToken.None);
                }
                await Task.Delay(random.Next(0, 5), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            if (conn is not null)
                await conn.DisposeAsync();
        }
    }
}
