using Ibex.Daemon;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

public class RecorderFailureTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_tombstone_recorder_whose_connection_is_killed_under_load_recovers_records_every_delete_and_says_so()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY, v text)");
        await s.AddNodesAsync();
        var sync = "reckill" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "t", "--source", "a", "--source", "b", "--copy", "never")).ShouldSucceed();
        // Tombstones are kept well past the test, so every delete made on 'a' must still have one at the end.
        s.StartDaemon(new DaemonOptions { PollInterval = TimeSpan.FromSeconds(2), Heartbeat = TimeSpan.FromSeconds(1), TombstoneMargin = TimeSpan.FromMinutes(30) });
        await s.WaitAsync(sync);

        using var stop = new CancellationTokenSource();
        long deletesOnA = 0;
        long insertsOnB = 0;
        var writers = new[] { ("a", 0), ("b", 1_000_000) }.Select(w => Task.Run(async () =>
        {
            var (cluster, db) = s.Node(w.Item1);
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            for (var i = w.Item2; !stop.IsCancellationRequested; i++)
            {
                // 'a' inserts and deletes (tombstones for its recorder); 'b' inserts (work for the applier on 'a').
                var sql = w.Item1 == "a" ? $"INSERT INTO t VALUES ({i}, 'x'); DELETE FROM t WHERE id = {i};" : $"INSERT INTO t VALUES ({i}, 'y')";
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
                if (w.Item1 == "a")
                    Interlocked.Increment(ref deletesOnA);
                else
                    Interlocked.Increment(ref insertsOnB);
                await Task.Delay(3);
            }
        })).ToList();

        await Task.Delay(1000, ct);
        // The recorder of 'a' is the session named 'ibex tombstones' in a's database.
        var killed = await Poll.UntilAsync(
            () => s.ScalarAsync<long>("a", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'ibex tombstones' AND datname = current_database()"),
            n => n > 0, 30, n => $"{n} recorder sessions killed\n{s.DaemonLog}");
        killed.ShouldBe(1);
        await Task.Delay(2000, ct);
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        var end = await s.ScalarAsync<string>("a", "SELECT pg_current_wal_lsn()::text");
        await s.WaitAsync(sync, 90);

        // Recovered: every delete made on 'a' has its tombstone, and the slot of 'a' is acknowledged past the load
        // (a dead recorder would freeze it and keep the WAL forever).
        (await s.ScalarAsync<long>("a", "SELECT count(*) FROM ibex_mm.tombstone WHERE deleted_by = 'a'")).ShouldBe(deletesOnA, s.DaemonLog);
        await Poll.UntilAsync(
            () => s.ScalarAsync<bool>("a", "SELECT coalesce(bool_and(confirmed_flush_lsn >= $1::pg_lsn), false) FROM pg_replication_slots WHERE database = current_database() AND slot_type = 'logical'", end),
            ok => ok, 60, _ => $"the slot of 'a' is not acknowledged past {end}\n{s.DaemonLog}");
        // Nothing applied twice: a repeated insert would be an insert/insert conflict.
        await using (var control = new NpgsqlConnection(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase)))
        {
            await control.OpenAsync(ct);
            await using var conflicts = new NpgsqlCommand("SELECT count(*) FROM ibex.conflict WHERE sync = $1", control);
            conflicts.Parameters.Add(new() { Value = sync });
            ((long)(await conflicts.ExecuteScalarAsync(ct))!).ShouldBe(0, s.DaemonLog);
        }
        (await s.ScalarAsync<long>("a", "SELECT count(*) FROM t")).ShouldBe(insertsOnB);
        await s.ShouldMatchAsync("t", "id", "a", "b");

        // The failure is visible: an error event, shown by ibex status.
        var status = await s.Ibex("status", sync);
        status.Output.ShouldContain("recording tombstones failed", Case.Sensitive, status.Output + "\n" + s.DaemonLog);
    }
}
