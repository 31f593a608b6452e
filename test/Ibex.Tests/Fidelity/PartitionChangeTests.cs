using Ibex.Capture;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Fidelity;

/// <summary>
/// A partitioned table replicates through its root: partitions created, attached and detached on the source while
/// the sync runs, and its default partition, change nothing for the stream; the target routes rows by its own
/// partitions (here fewer than the source's).
/// </summary>
public class PartitionChangeTests(SharedClusters clusters)
{
    [Fact]
    public async Task Partitions_created_attached_and_detached_while_the_sync_runs_and_the_default_partition_keep_replicating()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = "part" + s.Id.Replace("_", "", StringComparison.Ordinal);
        await s.ExecAllAsync("CREATE TABLE pt (a int PRIMARY KEY, v text) PARTITION BY RANGE (a); CREATE TABLE pt_1 PARTITION OF pt FOR VALUES FROM (0) TO (100); CREATE TABLE pt_def PARTITION OF pt DEFAULT;");
        await s.ExecAsync("src", "INSERT INTO pt VALUES (1, 'a'), (500, 'default')");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.pt", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync);
        (await s.RowsAsync("dst", "pt", "a")).ShouldBe(["(1,a)", "(500,default)"]);

        await s.ExecAsync("src", "CREATE TABLE pt_2 PARTITION OF pt FOR VALUES FROM (100) TO (200); INSERT INTO pt VALUES (150, 'created'), (600, 'default 2')");
        await s.WaitAsync(sync);
        (await s.RowsAsync("dst", "pt", "a")).ShouldBe(["(1,a)", "(150,created)", "(500,default)", "(600,\"default 2\")"]);

        await s.ExecAsync("src", "CREATE TABLE pt_3 (a int NOT NULL, v text); ALTER TABLE pt ATTACH PARTITION pt_3 FOR VALUES FROM (200) TO (300)");
        await s.ExecAsync("src", "INSERT INTO pt VALUES (260, 'attached'); UPDATE pt SET v = 'updated' WHERE a = 150; UPDATE pt SET a = 270 WHERE a = 600");
        await s.WaitAsync(sync);
        (await s.RowsAsync("dst", "pt", "a")).ShouldBe(["(1,a)", "(150,updated)", "(260,attached)", "(270,\"default 2\")", "(500,default)"]);

        // A detached partition's rows leave the source's table without a logged delete (as in PostgreSQL's own
        // replication); the stream goes on for the rest.
        await s.ExecAsync("src", "ALTER TABLE pt DETACH PARTITION pt_2");
        await s.ExecAsync("src", "INSERT INTO pt VALUES (2, 'after detach'), (700, 'default 3'); UPDATE pt SET v = 'still' WHERE a = 260; DELETE FROM pt WHERE a = 500; INSERT INTO pt_2 VALUES (160, 'detached, not synced')");
        await s.WaitAsync(sync);
        (await s.RowsAsync("dst", "pt", "a")).ShouldBe(["(1,a)", "(2,\"after detach\")", "(150,updated)", "(260,still)", "(270,\"default 2\")", "(700,\"default 3\")"]);
        (await s.QueryRowsAsync("dst", "SELECT a FROM pt_def")).ShouldBe(["(150)", "(260)", "(270)", "(700)"]);
    }

    [Fact]
    public async Task A_partition_attached_with_rows_or_detached_is_named_in_a_warning_with_the_fix()
    {
        // The rows a table held when it was attached, and the rows of a detached partition, change the source's table
        // without a logged change: the targets differ, so the operator must be told, never left to find out.
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = "pwarn" + s.Id.Replace("_", "", StringComparison.Ordinal);
        await s.ExecAllAsync("CREATE TABLE pw (a int PRIMARY KEY, v text) PARTITION BY RANGE (a); CREATE TABLE pw_1 PARTITION OF pw FOR VALUES FROM (0) TO (100)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.pw", "--source", "src", "--target", "dst")).ShouldSucceed();
        var interval = RelationGuard.WatchInterval;
        RelationGuard.WatchInterval = TimeSpan.FromSeconds(1);
        try
        {
            s.StartDaemon();
            await s.WaitAsync(sync);
            await s.ExecAsync("src", "CREATE TABLE pw_2 (a int NOT NULL, v text); INSERT INTO pw_2 VALUES (150, 'held before attach'); ALTER TABLE pw ATTACH PARTITION pw_2 FOR VALUES FROM (100) TO (200)");
            var attached = await Poll.UntilAsync(() => s.Ibex("status", sync), r => r.Output.Contains("pw_2", StringComparison.Ordinal), 30, r => r.Output + r.Error);
            attached.Output.ShouldContain("warning at");
            attached.Output.ShouldContain($"public.pw_2 became a partition of public.pw (sync '{sync}') holding rows");
            attached.Output.ShouldContain($"ibex compare {sync} --tables public.pw --repair-sql");

            await s.ExecAsync("src", "ALTER TABLE pw DETACH PARTITION pw_1");
            var detached = await Poll.UntilAsync(() => s.Ibex("status", sync), r => r.Output.Contains("pw_1", StringComparison.Ordinal), 30, r => r.Output + r.Error);
            detached.Output.ShouldContain($"partition public.pw_1 left public.pw (sync '{sync}'), detached or dropped");
        }
        finally
        {
            RelationGuard.WatchInterval = interval;
        }
    }
}
