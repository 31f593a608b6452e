using System.Collections.Concurrent;
using System.Text;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Applications keep writing on every node of a multi-master sync while its initial copy runs: every row a writer
/// committed, on any node, must end up on every node, and the nodes must be identical (issue: a row written on a node
/// during the copy was erased on that node).
/// </summary>
public class CopyUnderWritesTests(SharedClusters clusters)
{
    const int CopiedRows = 300_000;

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(2, true)]
    public async Task Rows_written_on_every_node_during_the_initial_copy_are_kept_everywhere(int nodeCount, bool killDuringCopy)
    {
        var nodes = new[] { "a", "b", "c" }.Take(nodeCount).ToArray();
        await using var s = await Scenario.CreateAsync(clusters, nodes);
        await s.ExecAllAsync("CREATE TABLE t (id bigint PRIMARY KEY, v text NOT NULL)");
        await s.ExecAsync("a", $"INSERT INTO t SELECT g, 'seed ' || g FROM generate_series(1, {CopiedRows}) g");
        await s.AddNodesAsync();
        var sync = "cw" + s.Id.Replace("_", "", StringComparison.Ordinal);
        var add = new List<string> { "sync", "add", sync, "--tables", "public.t", "--conflict", "latest" };
        foreach (var n in nodes)
            add.AddRange(["--source", n]);
        (await s.Ibex([.. add])).ShouldSucceed();

        // What each writer committed: key -> the value it last wrote (each writer owns its keys, so that value must win).
        var committed = new ConcurrentDictionary<long, string>();
        using var stop = new CancellationTokenSource();
        var writes = new long[nodeCount];
        var writers = nodes.Select((node, i) => Task.Run(async () =>
        {
            var (cluster, db) = s.Node(node);
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            var random = new Random(17 + i);
            var mine = new List<long>();
            var next = 10_000_000L * (i + 1);
            while (!stop.IsCancellationRequested)
            {
                long key;
                string value;
                string sql;
                if (mine.Count > 5 && random.Next(4) == 0)
                {
                    key = mine[random.Next(mine.Count)];
                    value = $"upd {node} {writes[i]}";
                    sql = "UPDATE t SET v = $2 WHERE id = $1";
                }
                else
                {
                    key = ++next;
                    value = $"ins {node} {writes[i]}";
                    sql = "INSERT INTO t VALUES ($1, $2)";
                }
                await using var cmd = new NpgsqlCommand(sql, conn);
                cmd.Parameters.Add(new() { Value = key });
                cmd.Parameters.Add(new() { Value = value });
                await cmd.ExecuteNonQueryAsync();
                if (!mine.Contains(key))
                    mine.Add(key);
                committed[key] = value;
                writes[i]++;
                await Task.Delay(random.Next(1, 5));
            }
        })).ToList();

        var log = new StringBuilder();
        var daemon = DaemonProcess.Start(s.ControlDsn, log);
        try
        {
            await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
            async Task<string> CopyStatesAsync() => await control.ScalarAsync<string>(
                "SELECT coalesce(string_agg(target || '=' || state || ':' || bytes_copied, ',' ORDER BY target), '') FROM ibex.table_copy WHERE sync = $1", sync);
            if (killDuringCopy)
            {
                // Killed in the middle of the copy: b's copy session has been inside its transaction for a while.
                await Poll.UntilAsync(() => s.ScalarAsync<long>("b", "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ibex copy' AND now() - xact_start > interval '500 ms'"),
                    n => n > 0, 120, _ => $"copy never got under way\n{log}", maxDelayMs: 50);
                (await CopyStatesAsync()).ShouldNotContain("done", customMessage: "killed after the copy, not during it");
                await daemon.KillAsync();
                await daemon.DisposeAsync();
                daemon = DaemonProcess.Start(s.ControlDsn, log);
            }
            await Poll.UntilAsync(CopyStatesAsync, v => v.Length > 0 && v.Split(',').All(x => x.Contains("=done:", StringComparison.Ordinal)), 180, v => $"copy not done: {v}\n{log}");
            // Keep writing a little after the copy, then let everything arrive.
            var writtenAtCopyEnd = writes.Sum();
            await Poll.UntilAsync(() => Task.FromResult(writes.Sum()), w => w > writtenAtCopyEnd + 50, 60, w => $"writers stalled at {w}");
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            writes.ShouldAllBe(w => w > 0);

            var wait = await s.Ibex("wait", sync, "--timeout", "120");
            wait.ExitCode.ShouldBe(0, $"{wait.Error}\n{log}");
            foreach (var n in nodes)
            {
                var rows = (await s.ScalarAsync<string>(n, "SELECT coalesce(string_agg(id::text || '=' || v, E'\\n'), '') FROM t WHERE id > 10000000")).Split('\n').ToHashSet();
                var lost = committed.Where(kv => !rows.Contains($"{kv.Key}={kv.Value}")).Take(5).Select(kv => $"{kv.Key}={kv.Value}").ToList();
                if (lost.Count > 0)
                {
                    var keys = string.Join(",", lost.Select(l => l.Split('=')[0]));
                    var seen = new StringBuilder();
                    foreach (var m in nodes)
                        seen.AppendLine($"{m}: " + string.Join(" | ", await s.QueryRowsAsync(m, $"SELECT t.id::text || '=' || t.v || ' @' || coalesce(x.timestamp::text, '?') || ' o' || coalesce(x.roident::text, '?') FROM t LEFT JOIN LATERAL pg_xact_commit_timestamp_origin(t.xmin) x ON true WHERE t.id IN ({keys})")));
                    await using (var cmd = new NpgsqlCommand($"SELECT string_agg(node || ' ' || kind || ' local=' || coalesce(local_origin,'?') || '@' || coalesce(local_commit_ts::text,'?') || ' ' || coalesce(local_row::text, '') || ' remote=' || remote_origin || '@' || coalesce(remote_commit_ts::text,'?') || ' ' || coalesce(remote_row::text, '') || ' -> ' || winner, E'\n') FROM ibex.conflict WHERE sync = $1 AND key->>'id' IN ({string.Join(",", lost.Select(l => $"'{l.Split('=')[0]}'"))})", control))
                    {
                        cmd.Parameters.Add(new() { Value = sync });
                        seen.AppendLine("conflicts:\n" + await cmd.ExecuteScalarAsync());
                    }
                    lost.ShouldBeEmpty($"node {n} lost or changed rows the writers committed ({committed.Count} written, {string.Join("/", writes)} per node); those keys on each node:\n{seen}\n{log}");
                }
                (await s.ScalarAsync<long>(n, "SELECT count(*) FROM t")).ShouldBe(CopiedRows + committed.Count, $"node {n}");
            }
            var compare = await s.Ibex("compare", sync);
            compare.ExitCode.ShouldBe(0, $"{compare.Output}{compare.Error}\n{log}");
            TestContext.Current.SendDiagnosticMessage($"{nodeCount} nodes{(killDuringCopy ? ", daemon killed during the copy" : "")}: {committed.Count} rows written during and after a {CopiedRows}-row copy ({string.Join("/", writes)} writes per node), all present on every node");
        }
        finally
        {
            await stop.CancelAsync();
            await daemon.DisposeAsync();
            try
            {
                await Task.WhenAll(writers);
            }
            catch (NpgsqlException)
            {
                // The assertion above (or its absence) tells what happened.
            }
        }
    }
}
