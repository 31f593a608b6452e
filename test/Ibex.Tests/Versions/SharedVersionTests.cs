using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Versions;

/// <summary>
/// The per-version smoke run (IBEX_TEST_PG_MAJOR) and the mixed-version runs (IBEX_TEST_PG_MAJORS) really run the
/// shared servers on the versions asked for.
/// </summary>
public class SharedVersionTests(SharedClusters clusters)
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Shared_servers_run_the_major_version_asked_for(int index)
    {
        var cluster = await clusters.GetAsync(index);
        await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString());
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        (await conn.ScalarAsync<int>("SELECT current_setting('server_version_num')::int") / 10000).ShouldBe(SharedClusters.MajorOf(index) ?? 15);
    }
}
