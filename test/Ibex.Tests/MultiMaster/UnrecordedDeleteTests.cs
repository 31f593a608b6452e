using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// A node's own deletes reach its tombstone table through its recorder, a little after they commit. A remote change
/// of a row deleted here that the recorder has not written yet must still meet that delete: the applier waits for the
/// recorder and reads the tombstones again when the recorder wrote one in between (and only then).
/// </summary>
public class UnrecordedDeleteTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_remote_update_of_a_row_deleted_here_but_not_yet_recorded_meets_the_newer_delete()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'start' FROM generate_series(1, 10) g");
        await s.AddNodesAsync();
        var sync = "unrec" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "t", "--source", "a", "--source", "b", "--copy", "never", "--conflict", "latest")).ShouldSucceed();
        s.StartDaemon(sync);
        await s.WaitAsync(sync);

        // On b: row 5 locked (the applier's lookup of a's update waits for it), and the tombstone table locked against
        // writes (b's recorder cannot write the tombstone of b's delete until it is released).
        await using var row = await s.OpenAsync("b");
        await row.ExecAsync("BEGIN; SELECT * FROM t WHERE id = 5 FOR UPDATE");
        await using var tombs = await s.OpenAsync("b");
        await tombs.ExecAsync("BEGIN; LOCK TABLE ibex_mm.tombstone IN EXCLUSIVE MODE");

        await s.ExecAsync("a", "UPDATE t SET v = 'older update from a' WHERE id = 5");
        await Poll.UntilAsync(() => s.ScalarAsync<long>("b", "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE OF t%'"),
            n => n > 0, 30, n => $"a's update of row 5 waiting for its lookup on b ({n} waiting)\n{s.DaemonLog}");
        // The newer delete commits; the lookup then finds the row gone and no tombstone (not written yet).
        await row.ExecAsync("DELETE FROM t WHERE id = 5; COMMIT");
        await Poll.UntilAsync(() => s.ScalarAsync<long>("b", "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE OF t%'"),
            n => n == 0, 30, n => $"lookup still waiting ({n})\n{s.DaemonLog}");
        await tombs.ExecAsync("ROLLBACK");

        await s.WaitAsync(sync);
        // The delete is newer: on both nodes the row stays deleted (an update taken for one of a missing row would
        // bring it back on b).
        (await s.ScalarAsync<long>("b", "SELECT count(*) FROM t WHERE id = 5")).ShouldBe(0, s.DaemonLog);
        (await s.ScalarAsync<long>("a", "SELECT count(*) FROM t WHERE id = 5")).ShouldBe(0, s.DaemonLog);
        await s.ShouldMatchAsync("t", "id", "a", "b");
    }
}
