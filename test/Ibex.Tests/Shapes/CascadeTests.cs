using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Shapes;

public class CascadeTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_to_B_to_C_under_load_leaves_C_equal_to_A()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "c");
        await s.ExecAllAsync("CREATE TABLE events (id bigint PRIMARY KEY, n int NOT NULL)");
        await s.ExecAsync("a", "INSERT INTO events SELECT g, 0 FROM generate_series(1, 1000) g");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "ab", "--tables", "events", "--source", "a", "--target", "b")).ShouldSucceed();
        // b receives sync ab, so sync bc forwards what arrives there by default.
        (await s.Ibex("sync", "add", "bc", "--tables", "events", "--source", "b", "--target", "c")).ShouldSucceed().Output.ShouldContain("forwards");
        s.StartDaemon();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var (cluster, db) = s.Node("a");
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            var random = new Random(3);
            for (var i = 2000; !stop.IsCancellationRequested; i++)
            {
                await using var cmd = new NpgsqlCommand($"INSERT INTO events VALUES ({i}, 0); UPDATE events SET n = n + 1 WHERE id = {random.Next(1, 1000)}; DELETE FROM events WHERE id = {random.Next(1, 1000)}", conn);
                await cmd.ExecuteNonQueryAsync();
            }
        });
        await Task.Delay(4000, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await writer;
        await s.WaitAsync("ab");
        await s.WaitAsync("bc");
        await s.ShouldMatchAsync("events", "id", "a", "b", "c");
        (await s.ScalarAsync<long>("c", "SELECT count(*) FROM events")).ShouldBeGreaterThan(1000);
    }
}
