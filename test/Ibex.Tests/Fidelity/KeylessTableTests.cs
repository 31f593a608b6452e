using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Fidelity;

/// <summary>
/// A table without a key (and not REPLICA IDENTITY FULL) replicates its INSERTs and TRUNCATEs, like PostgreSQL's own
/// replication, with a warning at <c>sync add</c> that names it and says how to get UPDATE/DELETE too; <c>--strict</c>
/// and multi-master refuse it.
/// </summary>
public class KeylessTableTests(SharedClusters clusters)
{
    const string Schema = "CREATE TABLE evlog (at timestamptz NOT NULL DEFAULT now(), msg text); CREATE TABLE keyed (id int PRIMARY KEY, v text)";

    static string SyncName(Scenario s, string prefix) => prefix + s.Id.Replace("_", "", StringComparison.Ordinal);

    [Fact]
    public async Task A_keyless_table_is_copied_and_replicates_inserts_and_truncates_with_a_warning()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "kl");
        await s.ExecAllAsync(Schema);
        await s.ExecAsync("src", "INSERT INTO evlog (msg) SELECT 'before ' || g FROM generate_series(1, 5) g; INSERT INTO evlog (msg) VALUES ('before 1')");
        await s.AddNodesAsync();
        var add = (await s.Ibex("sync", "add", sync, "--tables", "public.evlog,public.keyed", "--source", "src", "--target", "dst")).ShouldSucceed();
        add.Error.ShouldContain("warning: table public.evlog");
        add.Error.ShouldContain("REPLICA IDENTITY FULL");
        add.Error.ShouldContain("--fullcopy");
        add.Error.ShouldContain("UPDATE and DELETE");
        add.Error.ShouldNotContain("public.keyed");

        s.StartDaemon();
        await s.WaitAsync(sync);
        await s.ShouldMatchAsync("evlog", "1", "src", "dst");

        await s.ExecAsync("src", "INSERT INTO evlog (msg) SELECT 'during ' || g FROM generate_series(1, 50) g; INSERT INTO evlog (msg) VALUES ('during 1'), (NULL)");
        await s.WaitAsync(sync);
        await s.ShouldMatchAsync("evlog", "1", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM evlog")).ShouldBe(58);

        // PostgreSQL's rule, as the warning says: while the table is published, the source refuses UPDATE and DELETE on it.
        var refused = await Should.ThrowAsync<PostgresException>(() => s.ExecAsync("src", "DELETE FROM evlog WHERE msg IS NULL"));
        refused.MessageText.ShouldContain("does not have a replica identity");

        await s.ExecAsync("src", "TRUNCATE evlog; INSERT INTO evlog (msg) VALUES ('after')");
        await s.WaitAsync(sync);
        (await s.RowsAsync("dst", "(SELECT msg FROM evlog)")).ShouldBe(["(after)"]);
    }

    [Fact]
    public async Task Strict_refuses_a_keyless_table_and_creates_nothing()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "kls");
        await s.ExecAllAsync(Schema);
        await s.AddNodesAsync();
        var r = await s.Ibex("sync", "add", sync, "--tables", "public.evlog,public.keyed", "--source", "src", "--target", "dst", "--strict");
        r.ShouldFail("public.evlog");
        r.Error.ShouldContain("REPLICA IDENTITY FULL");
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_publication")).ShouldBe(0);
        (await s.Ibex("sync", "list", "--json")).Output.ShouldNotContain(sync);
    }

    [Fact]
    public async Task Multi_master_refuses_a_keyless_table_in_one_line()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        var sync = SyncName(s, "klm");
        await s.ExecAllAsync(Schema);
        await s.AddNodesAsync();
        var r = await s.Ibex("sync", "add", sync, "--tables", "public.evlog,public.keyed", "--source", "a", "--source", "b");
        r.ShouldFail("public.evlog");
        r.Error.ShouldContain("primary key");
        r.Error.Trim().ShouldNotContain("\n");
        (await s.ScalarAsync<long>("a", "SELECT count(*) FROM pg_publication")).ShouldBe(0);
    }
}
