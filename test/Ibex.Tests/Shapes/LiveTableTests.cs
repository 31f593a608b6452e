using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Shapes;

public class LiveTableTests(SharedClusters clusters)
{
    [Fact]
    public async Task Tables_added_and_removed_on_a_live_daemon_while_another_streams_without_a_gap()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE steady (id bigint PRIMARY KEY); CREATE TABLE extra (id int PRIMARY KEY, v text); CREATE TABLE gone (id int PRIMARY KEY)");
        await s.ExecAsync("src", "INSERT INTO extra SELECT g, 'before' FROM generate_series(1, 5000) g");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "live", "--tables", "steady,gone", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync("live");

        using var stop = new CancellationTokenSource();
        long written = 0;
        var writer = Task.Run(async () =>
        {
            var (cluster, db) = s.Node("src");
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref written);
                await using var cmd = new NpgsqlCommand($"INSERT INTO steady VALUES ({i}); INSERT INTO extra VALUES ({100000 + i}, 'during'); INSERT INTO gone VALUES ({i})", conn);
                await cmd.ExecuteNonQueryAsync();
                await Task.Delay(3);
            }
        });
        await Task.Delay(500, TestContext.Current.CancellationToken);
        (await s.Ibex("sync", "add-table", "live", "public.extra")).ShouldSucceed();
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        (await s.Ibex("sync", "remove-table", "live", "public.gone")).ShouldSucceed();
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await writer;
        await s.WaitAsync("live");

        await s.ShouldMatchAsync("steady", "id", "src", "dst");
        await s.ShouldMatchAsync("extra", "id", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM steady")).ShouldBe(written);
        // The removed table stopped receiving changes.
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM gone")).ShouldBeLessThan(await s.ScalarAsync<long>("src", "SELECT count(*) FROM gone"));
        (await s.Ibex("sync", "show", "live")).Output.ShouldNotContain("public.gone");
    }
}
