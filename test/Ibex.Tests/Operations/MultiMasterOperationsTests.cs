using System.Text.Json;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Operations;

public class MultiMasterOperationsTests(SharedClusters clusters)
{
    [Fact]
    public async Task Compare_checks_every_node_of_a_multi_master_sync_against_the_first_source_and_conflicts_reach_metrics_and_check()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "c");
        var sync = "mm" + s.Id.Replace("_", "", StringComparison.Ordinal);
        await s.ExecAllAsync("CREATE TABLE kv (k int PRIMARY KEY, v text)");
        await s.ExecAllAsync("INSERT INTO kv SELECT g, 'orig' FROM generate_series(1, 1000) g");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "kv", "--source", "a", "--source", "b", "--target", "c", "--copy", "never")).ShouldSucceed();
        var daemon = await MonitoredDaemon.StartAsync(s.ControlDsn);
        try
        {
            await s.WaitAsync(sync);
            await s.ExecAsync("a", "UPDATE kv SET v = 'a' WHERE k <= 10");
            await s.ExecAsync("b", "UPDATE kv SET v = 'b' WHERE k > 990; INSERT INTO kv VALUES (1001, 'b')");
            await s.WaitAsync(sync);

            var same = await s.Ibex("compare", sync, "--json");
            if (same.ExitCode != 0)
                throw new ShouldAssertException($"nodes differ after the sync caught up:\n{(await s.Ibex("compare", sync, "--repair-sql")).Output}\n{same.Error}\n{daemon.Log}");
            var json = JsonDocument.Parse(same.Output).RootElement;
            json.GetProperty("reference").GetString().ShouldBe("a");
            json.GetProperty("others").EnumerateArray().Select(o => o.GetString()).ShouldBe(["b", "c"]);
            json.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("target").GetString()).ShouldBe(["b", "c"]);
            json.GetProperty("rows_compared").GetInt64().ShouldBe(2 * 1001);

            // An update/update conflict between the two sources. (Only a and b are compared after it: whether the
            // replica c converges after a conflict is the multi-master tests' business.)
            (await s.Ibex("sync", "pause", sync)).ShouldSucceed();
            await s.ExecAsync("a", "UPDATE kv SET v = 'from a' WHERE k = 1");
            await s.ExecAsync("b", "UPDATE kv SET v = 'from b' WHERE k = 1");
            (await s.Ibex("sync", "resume", sync)).ShouldSucceed();
            await s.WaitAsync(sync);
            var pair = await s.Ibex("compare", "--nodes", "a,b", "--tables", "kv");
            pair.ExitCode.ShouldBe(0, pair.Output + pair.Error);

            // The update/update conflict is logged, counted by /metrics (every kind is there from the start, at 0) and weighed by ibex check.
            var metrics = await Poll.UntilAsync(async () => PrometheusText.Parse((await daemon.GetAsync("/metrics")).Body),
                m => m.Find("ibex_conflicts_total", ("sync", sync), ("kind", "update_origin_differs")).Any(x => x.Value >= 1), 30, _ => daemon.Log);
            metrics.Value("ibex_conflicts_total", ("sync", sync), ("kind", "update_origin_differs")).ShouldBeGreaterThanOrEqualTo(1);
            // The dashboard's conflicts chart gets it too: new conflicts per sample, by kind.
            await Poll.UntilAsync(async () => (await daemon.GetAsync("/api/status")).Body, body =>
            {
                var history = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("syncs").EnumerateArray()
                    .Single(x => x.GetProperty("name").GetString() == sync).GetProperty("conflict_history");
                var kinds = history.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()).ToList();
                var at = kinds.IndexOf("update_origin_differs");
                return at >= 0 && history.GetProperty("points").EnumerateArray().Sum(p => p[at + 1].GetInt64()) >= 1;
            }, 30, body => body);
            var check = await s.Ibex("check", "--sync", sync, "--warning-conflicts", "0", "--critical-conflicts", "100", "--warning-retained", "100GB", "--critical-retained", "200GB");
            var plugin = NagiosOutput.Parse(check.Output, check.ExitCode);
            plugin.State.ShouldBe("WARNING", plugin.Text);
            plugin.Text.ShouldContain("conflict(s) in the last hour");
            plugin["conflicts"].Value.ShouldBeGreaterThanOrEqualTo(1);
            plugin[$"{sync}_conflicts"].Value.ShouldBe(plugin["conflicts"].Value);
        }
        finally
        {
            await daemon.DisposeAsync();
        }

        // With the daemon stopped, a row changed behind Ibex's back on the replica shows up against c only.
        await s.ExecAsync("c", "DELETE FROM kv WHERE k = 500");
        var diff = await s.Ibex("compare", sync);
        diff.ExitCode.ShouldBe(1, diff.Output + diff.Error);
        diff.Output.ShouldContain("kv a -> b: 1001 rows compared (1001 on b); identical");
        diff.Output.ShouldContain("kv a -> c: 1001 rows compared (1000 on c); 1 missing on target");
        diff.Output.ShouldNotContain("extra on target  ");
        diff.Output.ShouldContain("missing on target  (k)=(500)");
        diff.Output.ShouldContain("is not streaming");
    }
}
