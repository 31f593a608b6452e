using System.Text;
using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Three writable nodes, one writer each, writing few values of a secondary UNIQUE column (inserts, changes of the
/// value, other updates, deletes) so they clash all the time; afterwards every node holds the same rows. The smaller,
/// faster sibling of MeshChaosTests' "idku" case, with what each node holds for a differing key when it fails.
/// </summary>
public class UniqueConvergenceTests(SharedClusters clusters)
{
    static readonly string[] Nodes = ["a", "b", "c"];

    [Fact]
    public async Task Three_nodes_writing_the_same_unique_values_converge()
    {
        await using var s = await Scenario.CreateAsync(clusters, Nodes);
        await s.ExecAllAsync("CREATE TABLE kv (k int PRIMARY KEY, u text UNIQUE, v int NOT NULL, note text)");
        await s.AddNodesAsync();
        var sync = "uc" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "kv", "--source", "a", "--source", "b", "--source", "c", "--copy", "never", "--conflict", "latest")).ShouldSucceed();
        s.StartDaemon();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var writes = new long[Nodes.Length];
        var writers = Nodes.Select((node, i) => Task.Run(() => WriteAsync(s, node, i, writes, stop.Token))).ToList();
        await Task.WhenAll(writers);
        await s.WaitAsync(sync, 120);
        try
        {
            await s.ShouldMatchAsync("kv", "k", Nodes);
        }
        catch (ShouldAssertException e)
        {
            throw new ShouldAssertException(e.Message.Split("--- daemon log")[0] + "\n" + await MeshDiagnosis.DescribeAsync(s, sync, Nodes), e);
        }
        writes.Sum().ShouldBeGreaterThan(300);
    }

    static async Task WriteAsync(Scenario s, string node, int index, long[] writes, CancellationToken stop)
    {
        var random = new Random(700 + index);
        await using var conn = await s.OpenAsync(node);
        while (!stop.IsCancellationRequested)
        {
            var k = random.Next(1, 41);
            var u = $"'u{random.Next(30)}'";
            var sql = random.Next(10) switch
            {
                < 3 => $"INSERT INTO kv VALUES ({k}, {u}, {random.Next(1000)}, 'ins {node}') ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, note = 'upsert {node}'",
                < 5 => $"UPDATE kv SET u = {u}, note = 'u by {node}' WHERE k = {k}",
                < 8 => $"UPDATE kv SET v = v + 1, note = 'upd {node}' WHERE k = {k}",
                _ => $"DELETE FROM kv WHERE k = {k}",
            };
            try
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync(stop);
                writes[index]++;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            await Task.Delay(random.Next(0, 6), CancellationToken.None);
        }
    }
}
