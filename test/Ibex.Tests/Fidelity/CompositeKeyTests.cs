using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Fidelity;

public class CompositeKeyTests(SharedClusters clusters)
{
    [Fact]
    public async Task Updates_and_deletes_find_rows_by_a_composite_type_key()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = "cpk" + s.Id.Replace("_", "", StringComparison.Ordinal);
        await s.ExecAllAsync("CREATE TYPE cx AS (x float8, y text, z int); CREATE TABLE compk (k cx PRIMARY KEY, n int)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.compk", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO compk VALUES (ROW(1.5, 'a b', 1), 1), (ROW(2, 'c', 2), 2), (ROW(3, NULL, 3), 3)");
        await s.WaitAsync(sync);
        await s.ExecAsync("src", "UPDATE compk SET n = 10 WHERE (k).z = 1; DELETE FROM compk WHERE (k).z = 2; UPDATE compk SET k = ROW(4, 'moved', 4) WHERE (k).z = 3");
        await s.WaitAsync(sync);
        await s.ShouldMatchAsync("compk", "n", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM compk")).ShouldBe(2);
    }
}
