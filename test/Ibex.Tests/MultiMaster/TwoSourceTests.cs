using System.Text.Json;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

public class TwoSourceTests(SharedClusters clusters)
{
    [Fact]
    public async Task Writes_on_each_source_reach_the_other_and_a_replica_without_looping()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "r");
        // Slot names are cluster-wide (ibex_<sync>_<node>): a sync name of its own keeps parallel tests apart.
        var mm = "mm" + s.Id.Replace("_", "", StringComparison.Ordinal);
        await s.ExecAllAsync("CREATE TABLE items (id int PRIMARY KEY, v text, n int)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", mm, "--tables", "items", "--source", "a", "--source", "b", "--target", "r", "--copy", "never")).ShouldSucceed();
        s.StartDaemon();
        for (var i = 1; i <= 20; i++)
            await s.ExecAsync("a", $"INSERT INTO items VALUES ({i}, 'from a', 0)");
        for (var i = 101; i <= 130; i++)
            await s.ExecAsync("b", $"INSERT INTO items VALUES ({i}, 'from b', 0)");
        await s.WaitAsync(mm);
        await s.ExecAsync("a", "UPDATE items SET n = n + 1 WHERE id = 101");
        await s.ExecAsync("b", "UPDATE items SET n = n + 1 WHERE id = 1");
        await s.WaitAsync(mm);
        await s.ShouldMatchAsync("items", "id", "a", "b", "r");
        (await s.ScalarAsync<long>("r", "SELECT count(*) FROM items")).ShouldBe(50);
        (await s.ScalarAsync<int>("a", "SELECT n FROM items WHERE id = 1")).ShouldBe(1);

        // No loops: each link applied exactly the transactions written on its source, and nothing more arrives later.
        async Task<Dictionary<string, long>> AppliedAsync()
        {
            var json = JsonDocument.Parse((await s.Ibex("status", mm, "--json")).Output);
            return json.RootElement[0].GetProperty("links").EnumerateArray()
                .ToDictionary(l => $"{l.GetProperty("source").GetString()}->{l.GetProperty("target").GetString()}", l => l.GetProperty("transactions").GetInt64());
        }
        var expected = new Dictionary<string, long> { ["a->b"] = 21, ["a->r"] = 21, ["b->a"] = 31, ["b->r"] = 31 };
        await s.WaitAsync(mm);
        (await AppliedAsync()).ShouldBe(expected);
        await s.ExecAsync("a", "SELECT pg_logical_emit_message(false, 'ibex', 'nudge')");
        await s.WaitAsync(mm);
        await s.WaitAsync(mm);
        (await AppliedAsync()).ShouldBe(expected);
        (await s.Ibex("conflicts", mm, "--json")).Output.Trim().ShouldBe("[]");
    }
}
