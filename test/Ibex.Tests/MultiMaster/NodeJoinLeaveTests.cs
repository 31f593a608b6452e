using System.Collections.Concurrent;
using System.Text;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Issue 13: nodes join and leave a running multi-master mesh while applications write on every node (a real
/// <c>ibex run</c>); every row a writer committed ends up on every node, and <c>ibex compare</c> finds nothing.
/// </summary>
public class NodeJoinLeaveTests(SharedClusters clusters)
{
    const int SeedRows = 20_000;

    [Fact]
    public async Task A_node_added_as_source_to_a_running_mesh_under_writes_gets_everything_once_and_its_writes_reach_everyone()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "c");
        await s.ExecAllAsync("CREATE TABLE t (id bigint PRIMARY KEY, v text NOT NULL)");
        await s.ExecAsync("a", $"INSERT INTO t SELECT g, 'seed ' || g FROM generate_series(1, {SeedRows}) g");
        await s.AddNodesAsync();
        var sync = "join" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "public.t", "--source", "a", "--source", "b")).ShouldSucceed();
        var log = new StringBuilder();
        await using var daemon = DaemonProcess.Start(s.ControlDsn, log);
        var committed = new ConcurrentDictionary<long, string?>();
        var writers = new List<MeshWriter> { MeshWriter.Start(s, "a", 0, committed), MeshWriter.Start(s, "b", 1, committed) };
        try
        {
            await s.WaitAsync(sync, 120);
            await Task.WhenAll(writers.Select(w => w.AdvanceAsync(100)));

            var add = await s.Ibex("sync", "add-node", sync, "c", "--source");
            add.ExitCode.ShouldBe(0, add.Error);
            add.Output.ShouldContain("node 'c' added as source, copied from 'a'");
            (await s.ScalarAsync<long>("c", "SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1", $"ibex_{sync}_c")).ShouldBe(1, "the slot on c is made by add-node, before c's copy");

            await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
            await Poll.UntilAsync(() => control.ScalarAsync<string>("SELECT coalesce(string_agg(source || '=' || state, ','), '') FROM ibex.table_copy WHERE sync = $1 AND target = 'c'", sync),
                v => v == "a=done", 120, v => $"copy into c: {v}\n{log}");
            // c's own application starts once it holds the data; the others never stopped.
            writers.Add(MeshWriter.Start(s, "c", 2, committed));
            await Task.WhenAll(writers.Select(w => w.AdvanceAsync(150)));
            foreach (var w in writers)
                await w.StopAsync();

            var wait = await s.Ibex("wait", sync, "--timeout", "120");
            wait.ExitCode.ShouldBe(0, $"{wait.Error}\n{log}");
            foreach (var n in new[] { "a", "b", "c" })
            {
                await MeshWriter.ShouldHoldAsync(s, n, committed, log.ToString());
                (await s.ScalarAsync<long>(n, "SELECT count(*) FROM t WHERE id <= $1", (long)SeedRows)).ShouldBe(SeedRows, $"seed rows on {n}");
            }
            var compare = await s.Ibex("compare", sync);
            compare.ExitCode.ShouldBe(0, $"{compare.Output}{compare.Error}\n{log}");
            (await control.ScalarAsync<long>("SELECT count(*) FROM ibex.link WHERE sync = $1", sync)).ShouldBe(6, "a mesh of three: every ordered pair");
            TestContext.Current.SendDiagnosticMessage($"c joined under writes: {string.Join("/", writers.Select(w => w.Writes))} writes on a/b/c, {committed.Count} keys, all identical");
        }
        finally
        {
            foreach (var w in writers)
                await w.StopAsync();
        }
    }

    [Fact]
    public async Task A_read_replica_added_to_a_running_mesh_under_writes_gets_every_source_s_changes_copied_from_the_second_source()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "r");
        await s.ExecAllAsync("CREATE TABLE t (id bigint PRIMARY KEY, v text NOT NULL)");
        await s.ExecAsync("a", $"INSERT INTO t SELECT g, 'seed ' || g FROM generate_series(1, {SeedRows}) g");
        await s.AddNodesAsync();
        var sync = "replica" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "public.t", "--source", "a", "--source", "b")).ShouldSucceed();
        var log = new StringBuilder();
        await using var daemon = DaemonProcess.Start(s.ControlDsn, log);
        var committed = new ConcurrentDictionary<long, string?>();
        var writers = new List<MeshWriter> { MeshWriter.Start(s, "a", 0, committed), MeshWriter.Start(s, "b", 1, committed) };
        try
        {
            await s.WaitAsync(sync, 120);
            await Task.WhenAll(writers.Select(w => w.AdvanceAsync(100)));
            var add = await s.Ibex("sync", "add-node", sync, "r", "--target", "--copy-from", "b");
            add.ExitCode.ShouldBe(0, add.Error);
            add.Output.ShouldContain("node 'r' added as target, copied from 'b'");
            (await s.ScalarAsync<long>("r", "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).ShouldBe(0, "a target has no slot");
            await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
            await Poll.UntilAsync(() => control.ScalarAsync<string>("SELECT coalesce(string_agg(source || '=' || state, ','), '') FROM ibex.table_copy WHERE sync = $1 AND target = 'r'", sync),
                v => v == "b=done", 120, v => $"copy into r: {v}\n{log}");
            await Task.WhenAll(writers.Select(w => w.AdvanceAsync(150)));
            foreach (var w in writers)
                await w.StopAsync();

            var wait = await s.Ibex("wait", sync, "--timeout", "120");
            wait.ExitCode.ShouldBe(0, $"{wait.Error}\n{log}");
            await MeshWriter.ShouldHoldAsync(s, "r", committed, log.ToString());
            var compare = await s.Ibex("compare", sync);
            compare.ExitCode.ShouldBe(0, $"{compare.Output}{compare.Error}\n{log}");
            (await control.ScalarAsync<string>("SELECT string_agg(source || '>' || target, ',' ORDER BY source, target) FROM ibex.link WHERE sync = $1", sync)).ShouldBe("a>b,a>r,b>a,b>r");
        }
        finally
        {
            foreach (var w in writers)
                await w.StopAsync();
        }
    }

    [Fact]
    public async Task A_node_removed_from_a_running_mesh_under_writes_leaves_no_slot_or_origin_and_the_rest_keep_streaming()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "c");
        await s.ExecAllAsync("CREATE TABLE t (id bigint PRIMARY KEY, v text NOT NULL)");
        await s.AddNodesAsync();
        var sync = "leave" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "public.t", "--source", "a", "--source", "b", "--source", "c")).ShouldSucceed();
        var log = new StringBuilder();
        await using var daemon = DaemonProcess.Start(s.ControlDsn, log);
        var committed = new ConcurrentDictionary<long, string?>();
        var writers = new[] { "a", "b", "c" }.Select((n, i) => MeshWriter.Start(s, n, i, committed)).ToList();
        try
        {
            await Task.WhenAll(writers.Select(w => w.AdvanceAsync(150)));
            // c's application moves away first, and what it wrote reaches the others; a and b never stop.
            await writers[2].StopAsync();
            await s.WaitAsync(sync, 120);
            var slotsBefore = await SlotsAsync(s, "a", "b");

            var remove = await s.Ibex("sync", "remove-node", sync, "c");
            remove.ExitCode.ShouldBe(0, remove.Error);
            await Task.WhenAll(writers.Take(2).Select(w => w.AdvanceAsync(150)));
            foreach (var w in writers)
                await w.StopAsync();

            var wait = await s.Ibex("wait", sync, "--timeout", "120");
            wait.ExitCode.ShouldBe(0, $"{wait.Error}\n{log}");
            foreach (var n in new[] { "a", "b" })
                await MeshWriter.ShouldHoldAsync(s, n, committed, log.ToString());
            var compare = await s.Ibex("compare", sync);
            compare.ExitCode.ShouldBe(0, $"{compare.Output}{compare.Error}\n{log}");

            (await SlotsAsync(s, "a", "b")).ShouldBe(slotsBefore, "the other nodes' slots are untouched");
            (await s.ScalarAsync<long>("c", "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE $1", $"ibex_{sync}%")).ShouldBe(0, "c's slot is dropped");
            (await s.ScalarAsync<long>("c", "SELECT count(*) FROM pg_publication WHERE pubname = $1", $"ibex_{sync}")).ShouldBe(0, "c's publication is dropped");
            (await s.ScalarAsync<bool>("c", "SELECT to_regnamespace('ibex_mm') IS NULL")).ShouldBeTrue("c's tombstones are gone");
            foreach (var n in new[] { "a", "b", "c" })
                (await s.QueryRowsAsync(n, $"SELECT roname::text FROM pg_replication_origin WHERE roname LIKE 'ibex\\_{sync}%' AND (roname LIKE '%\\_c' OR roname LIKE 'ibex\\_{sync}\\_c\\_%')"))
                    .ShouldBeEmpty($"origins of c's links on {n}");
            await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
            (await control.ScalarAsync<long>("SELECT count(*) FROM ibex.link WHERE sync = $1 AND 'c' IN (source, target)", sync)).ShouldBe(0);
            (await control.ScalarAsync<long>("SELECT count(*) FROM ibex.sync_node WHERE sync = $1", sync)).ShouldBe(2);
        }
        finally
        {
            foreach (var w in writers)
                await w.StopAsync();
        }
    }

    static async Task<List<string>> SlotsAsync(Scenario s, params string[] nodes)
    {
        var all = new List<string>();
        foreach (var n in nodes)
            all.AddRange((await s.QueryRowsAsync(n, "SELECT slot_name::text FROM pg_replication_slots WHERE database = current_database()")).Select(x => $"{n}:{x}"));
        return all;
    }
}
