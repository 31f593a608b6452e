using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Replication;

/// <summary>Every refusal is one line naming the object and the fix, exits non-zero, and leaves no slot,
/// publication, origin or control row behind.</summary>
public class BadInputTests(SharedClusters clusters)
{
    static async Task<Scenario> ReadyAsync(SharedClusters clusters)
    {
        var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE good (id int PRIMARY KEY, v text)");
        await s.AddNodesAsync();
        return s;
    }

    static async Task ShouldLeaveNothingAsync(Scenario s)
    {
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'ibex%' AND database = current_database()")).ShouldBe(0);
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_publication")).ShouldBe(0);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM pg_publication")).ShouldBe(0);
        await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        (await control.ScalarAsync<long>("SELECT (SELECT count(*) FROM ibex.sync) + (SELECT count(*) FROM ibex.link) + (SELECT count(*) FROM ibex.sync_table)")).ShouldBe(0);
    }

    static void ShouldBeOneLine(CliResult r)
    {
        r.ExitCode.ShouldNotBe(0);
        r.Error.TrimEnd().ShouldNotContain("\n");
        r.Error.ShouldStartWith("ibex: ");
    }

    [Fact]
    public async Task Table_without_key_is_refused_by_name_under_strict()
    {
        await using var s = await ReadyAsync(clusters);
        await s.ExecAllAsync("CREATE TABLE nokey (a int, b text)");
        var r = await s.Ibex("sync", "add", "x", "--tables", "public.good,public.nokey", "--source", "src", "--target", "dst", "--strict");
        ShouldBeOneLine(r);
        r.Error.ShouldContain("nokey");
        r.Error.ShouldContain("primary key");
        await ShouldLeaveNothingAsync(s);
    }

    [Fact]
    public async Task Target_missing_a_table_and_a_column_and_a_type_mismatch_are_all_listed()
    {
        await using var s = await ReadyAsync(clusters);
        await s.ExecAsync("src", "CREATE TABLE only_here (id int PRIMARY KEY); CREATE TABLE cols (id int PRIMARY KEY, a int, b text, c int)");
        await s.ExecAsync("dst", "CREATE TABLE cols (id int PRIMARY KEY, a smallint, c int)");
        var r = await s.Ibex("sync", "add", "x", "--tables", "public.*", "--source", "src", "--target", "dst");
        r.ExitCode.ShouldNotBe(0);
        r.Error.ShouldContain("missing table public.only_here");
        r.Error.ShouldContain("missing column b");
        r.Error.ShouldContain("column a is smallint here but integer on the source (integer values may not fit smallint)");
        await ShouldLeaveNothingAsync(s);
    }

    [Fact]
    public async Task Unknown_node_duplicate_sync_and_pattern_matching_nothing()
    {
        await using var s = await ReadyAsync(clusters);
        var r = await s.Ibex("sync", "add", "x", "--tables", "good", "--source", "src", "--target", "nosuch");
        ShouldBeOneLine(r);
        r.Error.ShouldContain("unknown node 'nosuch'");
        await ShouldLeaveNothingAsync(s);

        r = await s.Ibex("sync", "add", "x", "--tables", "public.nothing_like_this*", "--source", "src", "--target", "dst");
        ShouldBeOneLine(r);
        r.Error.ShouldContain("no table matches 'public.nothing_like_this*'");
        await ShouldLeaveNothingAsync(s);

        (await s.Ibex("sync", "add", "x", "--tables", "good", "--source", "src", "--target", "dst", "--copy", "never")).ShouldSucceed();
        r = await s.Ibex("sync", "add", "x", "--tables", "good", "--source", "src", "--target", "dst");
        ShouldBeOneLine(r);
        r.Error.ShouldContain("sync 'x' already exists");
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).ShouldBe(1);
    }

    [Fact]
    public async Task Wrong_password_unreachable_host_and_malformed_dsn_are_refused_at_node_add()
    {
        await using var s = await ReadyAsync(clusters);
        var (cluster, db) = s.Node("src");
        var role = "pw_" + s.Id;
        await cluster.ExecuteAsync("postgres", $"CREATE ROLE {role} LOGIN REPLICATION PASSWORD 'right' IN ROLE ibex_password_auth", TestContext.Current.CancellationToken);
        try
        {
            var r = await s.Ibex("node", "add", "bad", "--dsn", $"postgresql://{role}:wrong@127.0.0.1:{cluster.Port}/{db}");
            ShouldBeOneLine(r);
            r.Error.ShouldContain("node 'bad'");
            r.Error.ShouldContain("password authentication failed");
            r.Error.ShouldNotContain("wrong");

            r = await s.Ibex("node", "add", "gone", "--dsn", "host=127.0.0.1 port=1 dbname=x user=postgres connect_timeout=3");
            ShouldBeOneLine(r);
            r.Error.ShouldContain("node 'gone'");
            r.Error.ShouldContain("check host and port");

            r = await s.Ibex("node", "add", "junk", "--dsn", "postgresql://u@h:notaport/db");
            ShouldBeOneLine(r);
            r.Error.ShouldContain("port is not a number");
            r.Error.ShouldNotContain("notaport");

            (await s.Ibex("node", "list", "--json")).Output.ShouldNotContain("\"bad\"");
        }
        finally
        {
            await cluster.ExecuteAsync("postgres", $"DROP ROLE IF EXISTS {role}", TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Source_with_wal_level_replica_is_refused_with_the_fix()
    {
        await using var replicaOnly = await LocalCluster.StartAsync("walreplica", ["wal_level = replica"], TestContext.Current.CancellationToken);
        await using var s = await ReadyAsync(clusters);
        var r = await s.Ibex("node", "add", "b", "--dsn", replicaOnly.ConnectionString());
        ShouldBeOneLine(r);
        r.Error.ShouldContain("node 'b': wal_level is 'replica'; set wal_level = logical and restart PostgreSQL");
    }

    [Fact]
    public async Task Sync_remove_drops_every_slot_publication_and_origin()
    {
        await using var s = await ReadyAsync(clusters);
        (await s.Ibex("sync", "add", "gone", "--tables", "good", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO good VALUES (1, 'a')");
        await s.WaitAsync("gone");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'ibex_gone%'")).ShouldBe(1);
        (await s.Ibex("sync", "remove", "gone")).ShouldSucceed();
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).ShouldBe(0);
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_publication")).ShouldBe(0);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'ibex_gone%'")).ShouldBe(0);
        await ShouldLeaveNothingAsync(s);
    }
}
