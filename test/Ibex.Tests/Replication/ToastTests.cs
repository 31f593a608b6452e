using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Replication;

public class ToastTests(SharedClusters clusters)
{
    [Fact]
    public async Task Unchanged_one_megabyte_value_survives_an_update_of_another_column()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        // EXTERNAL storage: stored out of line and uncompressed, so an UPDATE that does not touch it leaves it TOASTed and unsent.
        await s.ExecAllAsync("CREATE TABLE docs (id int PRIMARY KEY, counter int, body text); ALTER TABLE docs ALTER body SET STORAGE EXTERNAL;");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "toast", "--tables", "docs", "--source", "src", "--target", "dst", "--copy", "never")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO docs SELECT 1, 0, string_agg(md5(g::text), '') FROM generate_series(1, 32768) g");
        await s.WaitAsync("toast");
        await s.ExecAsync("src", "UPDATE docs SET counter = counter + 1 WHERE id = 1");
        await s.ExecAsync("src", "UPDATE docs SET counter = counter + 1 WHERE id = 1");
        await s.WaitAsync("toast");
        (await s.ScalarAsync<int>("dst", "SELECT length(body) FROM docs WHERE id = 1")).ShouldBe(1 << 20);
        (await s.ScalarAsync<int>("dst", "SELECT counter FROM docs WHERE id = 1")).ShouldBe(2);
        (await s.ScalarAsync<string>("dst", "SELECT md5(body) FROM docs")).ShouldBe(await s.ScalarAsync<string>("src", "SELECT md5(body) FROM docs"));
    }
}
