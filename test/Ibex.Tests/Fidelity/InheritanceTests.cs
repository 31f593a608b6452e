using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Fidelity;

/// <summary>Inheritance children replicate to their own tables, or the sync is refused: never a silent gap.</summary>
public class InheritanceTests(SharedClusters clusters)
{
    const string Schema = "CREATE TABLE par (a int PRIMARY KEY); CREATE TABLE chi (b text) INHERITS (par); ALTER TABLE chi ADD PRIMARY KEY (a);";

    static string SyncName(Scenario s, string prefix) => prefix + s.Id.Replace("_", "", StringComparison.Ordinal);

    [Fact]
    public async Task A_parent_whose_inheritance_child_is_not_synced_is_refused_naming_the_child()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync(Schema);
        await s.AddNodesAsync();
        var r = await s.Ibex("sync", "add", SyncName(s, "inhr"), "--tables", "public.par", "--source", "src", "--target", "dst");
        r.ExitCode.ShouldNotBe(0);
        r.Error.TrimEnd().ShouldNotContain("\n");
        r.Error.ShouldContain("public.chi");
        r.Error.ShouldContain("--tables");
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_publication")).ShouldBe(0);
    }

    [Fact]
    public async Task Parent_and_child_each_replicate_to_their_own_table()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "inh");
        await s.ExecAllAsync(Schema);
        await s.ExecAsync("src", "INSERT INTO par VALUES (1), (2); INSERT INTO chi VALUES (10, 'x'), (11, 'y')");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.par,public.chi", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync);
        (await s.QueryRowsAsync("dst", "SELECT a FROM ONLY par")).ShouldBe(["(1)", "(2)"]);
        (await s.RowsAsync("dst", "chi", "a")).ShouldBe(["(10,x)", "(11,y)"], s.DaemonLog + (await s.Ibex("status", sync)).Output);

        await s.ExecAsync("src", """
            INSERT INTO chi VALUES (12, 'z'); UPDATE chi SET b = 'changed' WHERE a = 10; DELETE FROM chi WHERE a = 11;
            INSERT INTO par VALUES (3); DELETE FROM par WHERE a = 1;
            """);
        await s.WaitAsync(sync);
        (await s.QueryRowsAsync("dst", "SELECT a FROM ONLY par")).ShouldBe(["(2)", "(3)"]);
        (await s.RowsAsync("dst", "chi", "a")).ShouldBe(["(10,changed)", "(12,z)"]);

        // TRUNCATE ONLY the parent leaves the child alone on the target too.
        await s.ExecAsync("src", "TRUNCATE ONLY par");
        await s.WaitAsync(sync);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM ONLY par")).ShouldBe(0);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM chi")).ShouldBe(2);
    }

    [Fact]
    public async Task Parent_and_child_may_each_have_their_own_row_filter()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "inhw");
        await s.ExecAllAsync(Schema);
        await s.ExecAsync("src", "INSERT INTO par VALUES (1), (2); INSERT INTO chi VALUES (10, 'x'), (11, 'y')");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.par,public.chi", "--source", "src", "--target", "dst",
            "--where", "public.par=a > 1", "--where", "public.chi=a > 10")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync);
        (await s.QueryRowsAsync("dst", "SELECT a FROM ONLY par")).ShouldBe(["(2)"]);
        (await s.RowsAsync("dst", "chi", "a")).ShouldBe(["(11,y)"]);
    }

    [Fact]
    public async Task Partitions_still_replicate_through_their_root()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "inhp");
        await s.ExecAllAsync("CREATE TABLE pt (a int PRIMARY KEY, v text) PARTITION BY RANGE (a); CREATE TABLE pt_lo PARTITION OF pt FOR VALUES FROM (0) TO (100); CREATE TABLE pt_hi PARTITION OF pt FOR VALUES FROM (100) TO (1000);");
        await s.ExecAsync("src", "INSERT INTO pt VALUES (1, 'a'), (150, 'b')");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.pt", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync);
        (await s.RowsAsync("dst", "pt", "a")).ShouldBe(["(1,a)", "(150,b)"]);
        await s.ExecAsync("src", "INSERT INTO pt VALUES (2, 'c'), (200, 'd'); UPDATE pt SET v = 'moved', a = 120 WHERE a = 1;");
        await s.WaitAsync(sync);
        (await s.RowsAsync("dst", "pt", "a")).ShouldBe(["(2,c)", "(120,moved)", "(150,b)", "(200,d)"]);
        (await s.QueryRowsAsync("dst", "SELECT a FROM pt_hi")).ShouldBe(["(120)", "(150)", "(200)"]);
        await s.ExecAsync("src", "TRUNCATE pt; INSERT INTO pt VALUES (300, 'e')");
        await s.WaitAsync(sync);
        (await s.RowsAsync("dst", "pt", "a")).ShouldBe(["(300,e)"]);
    }
}
