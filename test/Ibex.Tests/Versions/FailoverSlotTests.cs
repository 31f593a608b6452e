using System.Globalization;
using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Versions;

/// <summary>
/// Failover slots (PostgreSQL 17+): a source node with a physical standby that synchronizes Ibex's slot; the primary
/// is killed under writes and the standby promoted; the daemon, given both hosts with
/// <c>target_session_attrs=read-write</c>, continues from the synchronized slot.
/// </summary>
public class FailoverSlotTests(SharedClusters clusters)
{
    const string Table = "CREATE TABLE events (id bigserial PRIMARY KEY, note text NOT NULL)";

    [Fact]
    public async Task After_the_primary_dies_the_daemon_continues_from_the_promoted_standby()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var primary = await LocalCluster.StartAsync("fo18", 18, cancellationToken: ct);
        await using var s = await Scenario.CreateAsync(await clusters.GetAsync(0), ("src", primary), ("dst", await clusters.GetAsync(1)));
        await s.ExecAllAsync(Table);
        await s.ExecAsync("src", "INSERT INTO events (note) SELECT 'before ' || g FROM generate_series(1, 1000) g");
        await using var standby = await LocalStandby.StartAsync(primary, "ibex_standby", ct);
        await primary.ExecuteAsync("postgres", "ALTER SYSTEM SET synchronized_standby_slots = 'ibex_standby'", ct);
        await primary.ExecuteAsync("postgres", "SELECT pg_reload_conf()", ct);

        var db = s.Node("src").Database;
        var both = $"host=127.0.0.1,127.0.0.1 port={primary.Port.ToString(CultureInfo.InvariantCulture)},{standby.Port.ToString(CultureInfo.InvariantCulture)} dbname={db} user=postgres target_session_attrs=read-write";
        var added = (await s.Ibex("node", "add", "src", "--dsn", both, "--failover-slots")).ShouldSucceed();
        added.Error.ShouldNotContain("synchronized_standby_slots is empty");
        (await s.Ibex("export")).ShouldSucceed().Error.ShouldContain("node 'src' was added with --failover-slots, which the file does not carry");
        (await s.Ibex("node", "add", "dst", "--dsn", s.Dsn("dst"))).ShouldSucceed();
        var sync = "fo" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "events", "--source", "src", "--target", "dst")).ShouldSucceed();
        var slot = await s.ScalarAsync<string>("src", $"SELECT slot_name::text FROM pg_replication_slots WHERE slot_name LIKE '%{sync}%' AND failover");
        s.StartDaemon();
        await s.WaitAsync(sync, 120);

        await using var writer = new ReconnectingWriter("INSERT INTO events (note) VALUES ('writer')", primary.NpgsqlConnectionString(db), standby.NpgsqlConnectionString(db));
        writer.Start();
        await Poll.UntilAsync(() => Task.FromResult(writer.CommittedOn(0)), n => n >= 200, 60, n => $"{n} writes on the primary");
        // The standby holds a synchronized copy of the slot before the primary goes.
        await using (var onStandby = await Scratch.OpenAsync(standby.NpgsqlConnectionString(db)))
            await Poll.UntilAsync(() => onStandby.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1 AND synced AND NOT temporary", slot), n => n == 1, 90, _ => $"slot {slot} not synchronized to the standby");

        await primary.StopServerAsync("immediate", ct);
        await standby.ExecuteAsync("postgres", "SELECT pg_promote(true, 60)", ct);
        await Poll.UntilAsync(() => Task.FromResult(writer.CommittedOn(1)), n => n >= 200, 90, n => $"{n} writes on the promoted standby; last error: {writer.LastError}");
        await writer.DisposeAsync();

        await s.WaitAsync(sync, 120);
        var expected = await QueryAsync(standby, db);
        var actual = await s.RowsAsync("dst", "events", "id");
        actual.Count.ShouldBe(expected.Count);
        actual.ShouldBe(expected);
        (await s.Ibex("compare", sync)).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Failover_slots_on_15_are_refused_at_node_add()
    {
        await using var s = await Scenario.CreateAsync(clusters, "old");
        (await s.Ibex("node", "add", "old", "--dsn", s.Dsn("old"), "--failover-slots")).ShouldFail("--failover-slots needs PostgreSQL 17 or later");
        (await s.Ibex("node", "list", "--json")).ShouldSucceed().Output.ShouldNotContain("\"old\"");
    }

    static async Task<List<string>> QueryAsync(LocalCluster cluster, string db)
    {
        await using var conn = await Scratch.OpenAsync(cluster.NpgsqlConnectionString(db));
        var rows = new List<string>();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT t::text FROM events t ORDER BY id", conn);
        await using var r = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await r.ReadAsync(TestContext.Current.CancellationToken))
            rows.Add(r.GetString(0));
        return rows;
    }
}
