using System.Collections.Concurrent;
using System.Text;
using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Issue 13: a node of a mesh whose PostgreSQL is down for a while (hours in production, seconds here: the mechanism is
/// the same, the other nodes' slots keep every change it has not confirmed) rejoins and catches up by itself, under
/// writes on every node, and ends identical to the others.
/// </summary>
public class NodeDownTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_node_down_under_writes_catches_up_when_it_comes_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var own = await LocalCluster.StartAsync("mmdown", cancellationToken: ct);
        await using var s = await Scenario.CreateAsync(await clusters.GetAsync(0), ("a", await clusters.GetAsync(0)), ("b", await clusters.GetAsync(1)), ("c", own));
        await s.ExecAllAsync("CREATE TABLE t (id bigint PRIMARY KEY, v text NOT NULL)");
        await s.AddNodesAsync();
        var sync = "down" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "public.t", "--source", "a", "--source", "b", "--source", "c")).ShouldSucceed();
        var log = new StringBuilder();
        await using var daemon = DaemonProcess.Start(s.ControlDsn, log);
        var committed = new ConcurrentDictionary<long, string?>();
        var writers = new[] { "a", "b", "c" }.Select((n, i) => MeshWriter.Start(s, n, i, committed)).ToList();
        try
        {
            await s.WaitAsync(sync, 120);
            await Task.WhenAll(writers.Select(w => w.AdvanceAsync(100)));
            await writers[2].StopAsync();
            await own.StopServerAsync("immediate", ct);

            // a and b go on writing while c is away; their links into c are down and their slots keep what c lacks.
            await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
            await Poll.UntilAsync(() => control.ScalarAsync<string>("SELECT coalesce(string_agg(source || '>' || state, ',' ORDER BY source), '') FROM ibex.link WHERE sync = $1 AND target = 'c'", sync),
                v => v.Split(',') is [var x, var y] && new[] { x, y }.All(l => l.EndsWith(">down", StringComparison.Ordinal) || l.EndsWith(">error", StringComparison.Ordinal)), 60, v => $"links into c: {v}\n{log}");
            await Task.WhenAll(writers.Take(2).Select(w => w.AdvanceAsync(400)));
            foreach (var n in new[] { "a", "b" })
                (await s.ScalarAsync<long>(n, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1 AND confirmed_flush_lsn < pg_current_wal_lsn()", $"ibex_{sync}_{n}"))
                    .ShouldBe(1, $"{n}'s slot holds what c has not confirmed");

            await own.StartServerAsync(ct);
            writers.Add(MeshWriter.Start(s, "c", 3, committed));
            await Task.WhenAll(writers.Where(w => w.Node != "c" || w == writers[^1]).Select(w => w.AdvanceAsync(150)));
            foreach (var w in writers)
                await w.StopAsync();

            var wait = await s.Ibex("wait", sync, "--timeout", "180");
            wait.ExitCode.ShouldBe(0, $"{wait.Error}\n{log}");
            foreach (var n in new[] { "a", "b", "c" })
                await MeshWriter.ShouldHoldAsync(s, n, committed, log.ToString());
            var compare = await s.Ibex("compare", sync);
            compare.ExitCode.ShouldBe(0, $"{compare.Output}{compare.Error}\n{log}");
        }
        finally
        {
            foreach (var w in writers)
                await w.StopAsync();
        }
    }
}
