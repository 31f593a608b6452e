using Ibex.Local;
using Shouldly;

namespace Ibex.Tests.Infrastructure;

public class LocalClusterTests(SharedClusters clusters)
{
    [Fact]
    public async Task Shared_cluster_has_logical_decoding_on()
    {
        var c = await clusters.GetAsync(0);
        await using var conn = await Scratch.OpenAsync(c.NpgsqlConnectionString());
        (await conn.ScalarAsync<string>("SHOW wal_level")).ShouldBe("logical");
        (await conn.ScalarAsync<string>("SHOW track_commit_timestamp")).ShouldBe("on");
    }
}
