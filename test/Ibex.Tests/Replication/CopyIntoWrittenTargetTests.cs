using System.Collections.Concurrent;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Replication;

/// <summary>
/// A one-way target written to by its own applications after <c>sync add</c> and during the initial copy: nothing
/// written there is erased, and for a key both sides hold the source's row wins (docs/topologies.md).
/// </summary>
public class CopyIntoWrittenTargetTests(SharedClusters clusters)
{
    [Fact]
    public async Task Rows_written_on_a_one_way_target_before_and_during_the_copy_are_kept_and_the_source_wins_a_shared_key()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE w (id bigint PRIMARY KEY, v text NOT NULL)");
        await s.ExecAsync("src", "INSERT INTO w SELECT g, 'src ' || g FROM generate_series(1, 100000) g");
        await s.AddNodesAsync();
        var sync = "ow" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "w", "--source", "src", "--target", "dst")).ShouldSucceed();
        // Written on the target after the sync was made, before the copy: one key the source also has, one it has not.
        await s.ExecAsync("dst", "INSERT INTO w VALUES (5, 'dst version of 5'), (900001, 'dst only')");

        var committed = new ConcurrentBag<long>();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            await using var conn = await s.OpenAsync("dst");
            for (var id = 2_000_000L; !stop.IsCancellationRequested; id++)
            {
                await using var cmd = new NpgsqlCommand("INSERT INTO w VALUES ($1, 'written on dst')", conn);
                cmd.Parameters.Add(new() { Value = id });
                await cmd.ExecuteNonQueryAsync();
                committed.Add(id);
            }
        });
        s.StartDaemon(sync);
        try
        {
            await s.WaitAsync(sync, 120);
            await Poll.UntilAsync(() => Task.FromResult(committed.Count), c => c > 100, 30, c => $"writer stalled at {c}");
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
        await s.ExecAsync("src", "UPDATE w SET v = 'streamed' WHERE id = 7");
        await s.WaitAsync(sync);

        (await s.ScalarAsync<string>("dst", "SELECT v FROM w WHERE id = 5")).ShouldBe("src 5");
        (await s.ScalarAsync<string>("dst", "SELECT v FROM w WHERE id = 900001")).ShouldBe("dst only");
        (await s.ScalarAsync<string>("dst", "SELECT v FROM w WHERE id = 7")).ShouldBe("streamed");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM w WHERE id >= 2000000")).ShouldBe(committed.Count);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM w WHERE id <= 100000")).ShouldBe(100000);
        var status = await s.Ibex("status", sync);
        status.Output.ShouldNotContain("error", Case.Insensitive);
    }
}
