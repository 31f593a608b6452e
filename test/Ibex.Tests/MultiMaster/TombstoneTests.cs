using Ibex.Daemon;
using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

public class TombstoneTests(SharedClusters clusters)
{
    [Fact]
    public async Task Tombstones_are_purged_once_every_node_has_passed_them()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY, v text)");
        await s.AddNodesAsync();
        var sync = "tomb" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "t", "--source", "a", "--source", "b", "--copy", "never")).ShouldSucceed();
        // Compressed time: heartbeats every second and a one-second margin make a 15 s run worth many purge cycles.
        s.StartDaemon(new DaemonOptions
        {
            PollInterval = TimeSpan.FromSeconds(2),
            Heartbeat = TimeSpan.FromSeconds(1),
            TombstoneMargin = TimeSpan.FromSeconds(1),
            TombstonePurgeInterval = TimeSpan.FromSeconds(1),
        });
        await s.WaitAsync(sync);

        using var stop = new CancellationTokenSource();
        long deletes = 0;
        var writers = new[] { ("a", 0), ("b", 1_000_000) }.Select(w => Task.Run(async () =>
        {
            var (cluster, db) = s.Node(w.Item1);
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            for (var i = w.Item2; !stop.IsCancellationRequested; i++)
            {
                await using var cmd = new NpgsqlCommand($"INSERT INTO t VALUES ({i}, 'x'); DELETE FROM t WHERE id = {i};", conn);
                await cmd.ExecuteNonQueryAsync();
                Interlocked.Increment(ref deletes);
                await Task.Delay(5);
            }
        })).ToList();
        var samples = new List<long>();
        for (var i = 0; i < 15; i++)
        {
            await Task.Delay(1000, TestContext.Current.CancellationToken);
            samples.Add(await s.ScalarAsync<long>("a", "SELECT count(*) FROM ibex_mm.tombstone"));
        }
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        await s.WaitAsync(sync);

        // Each node holds one tombstone per delete it applied or made, only for the last few seconds.
        var perSecond = deletes / 15.0;
        TestContext.Current.SendDiagnosticMessage($"{deletes} deletes; tombstones on a each second: {string.Join(", ", samples)}");
        samples.Skip(5).Max().ShouldBeLessThan((long)(perSecond * 8) + 50, $"tombstones keep growing: {string.Join(", ", samples)} with {perSecond:0} deletes/s");
        samples[^1].ShouldBeLessThan(deletes / 2, string.Join(", ", samples));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        long left;
        while ((left = await s.ScalarAsync<long>("a", "SELECT count(*) FROM ibex_mm.tombstone") + await s.ScalarAsync<long>("b", "SELECT count(*) FROM ibex_mm.tombstone")) > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(250, TestContext.Current.CancellationToken);
        left.ShouldBe(0, "tombstones left after every node passed them");
        await s.ShouldMatchAsync("t", "id", "a", "b");
    }
}
