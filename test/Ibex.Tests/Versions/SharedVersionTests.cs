using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Versions;

/// <summary>The per-version smoke run (IBEX_TEST_PG_MAJOR) really runs the shared servers on that version.</summary>
public class SharedVersionTests(SharedClusters clusters)
{
    [Fact]
    public async Task Shared_servers_run_the_major_version_asked_for()
    {
        var cluster = await clusters.GetAsync(0);
        await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString());
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        (await conn.ScalarAsync<int>("SELECT current_setting('server_version_num')::int") / 10000).ShouldBe(SharedClusters.Major ?? 15);
    }
}
