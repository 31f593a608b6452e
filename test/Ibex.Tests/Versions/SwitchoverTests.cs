using System.Text.Json;
using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Versions;

/// <summary>
/// <c>ibex switchover</c>: a major upgrade from 15 to 18 under a writer that reconnects, the window during which
/// writes were refused, the reversed sync carrying the new node's writes back, and the refusals that change nothing.
/// </summary>
public class SwitchoverTests(SharedClusters clusters)
{
    const string Table = "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())";

    [Fact]
    public async Task Upgrade_from_15_to_18_under_a_writer_refuses_writes_briefly_and_the_old_node_follows_the_new_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pg18 = await LocalCluster.StartAsync("sw18", 18, cancellationToken: ct);
        await using var s = await Scenario.CreateAsync(await clusters.GetAsync(0), ("old", await clusters.GetAsync(1)), ("new", pg18));
        await s.ExecAllAsync(Table);
        await s.ExecAsync("old", "INSERT INTO orders (note) SELECT 'before ' || g FROM generate_series(1, 2000) g");
        await s.AddNodesAsync();
        var sync = "up" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "orders", "--source", "old", "--target", "new")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync, 120);

        var (oldCluster, oldDb) = s.Node("old");
        var (newCluster, newDb) = s.Node("new");
        await using var writer = new ReconnectingWriter("INSERT INTO orders (note) VALUES ('writer')", oldCluster.NpgsqlConnectionString(oldDb), newCluster.NpgsqlConnectionString(newDb));
        writer.Start();
        await Poll.UntilAsync(() => Task.FromResult(writer.CommittedOn(0)), n => n >= 100, 60, n => $"{n} writes on old");
        await Poll.UntilAsync(async () => await s.Ibex("switchover", sync, "--to", "new", "--dry-run"), r => r.ExitCode == 0, 60, r => r.Error);

        var run = (await s.Ibex("switchover", sync, "--to", "new", "--json")).ShouldSucceed();
        var report = JsonDocument.Parse(run.Output).RootElement;
        var window = report.GetProperty("write_refused_seconds").GetDouble();
        await Poll.UntilAsync(() => Task.FromResult(writer.CommittedOn(1)), n => n >= 100, 60, n => $"{n} writes on new; last error: {writer.LastError}");
        await writer.DisposeAsync();
        var gap = writer.LongestGapLeaving(0);
        var measured = $"switchover 15 -> 18: writes refused {window:0.000} s by ibex (caught up after {report.GetProperty("caught_up_seconds").GetDouble():0.000} s), {gap.TotalSeconds:0.000} s seen by the writer ({writer.Failures} failed attempts)";
        TestContext.Current.SendDiagnosticMessage(measured);
        TestContext.Current.TestOutputHelper?.WriteLine(measured);
        window.ShouldBeGreaterThan(0);
        window.ShouldBeLessThan(10);
        gap.ShouldBeLessThan(TimeSpan.FromSeconds(10));

        // The old node refuses applications' writes and follows the new one; nothing was lost or doubled either way.
        var refused = await Should.ThrowAsync<PostgresException>(() => s.ExecAsync("old", "INSERT INTO orders (note) VALUES ('late')"));
        refused.SqlState.ShouldBe(PostgresErrorCodes.ReadOnlySqlTransaction);
        await s.ExecAsync("new", "INSERT INTO orders (note) VALUES ('back to old')");
        await s.WaitAsync(sync, 120);
        (await s.ScalarAsync<long>("old", "SELECT count(*) FROM orders WHERE note = 'back to old'")).ShouldBe(1);
        await s.ShouldMatchAsync("orders", "id", "new", "old");
        (await s.ScalarAsync<long>("old", "SELECT count(*) FROM orders WHERE note = 'writer'")).ShouldBe(writer.CommittedOn(0) + writer.CommittedOn(1));
        var shown = JsonDocument.Parse((await s.Ibex("sync", "show", sync, "--json")).ShouldSucceed().Output).RootElement;
        shown.GetProperty("sources")[0].GetProperty("node").GetString().ShouldBe("new");
        shown.GetProperty("targets")[0].GetString().ShouldBe("old");
        (await s.Ibex("compare", sync)).ExitCode.ShouldBe(0);
        (await s.ScalarAsync<long>("old", $"SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'ibex%{s.Id.Replace("_", "", StringComparison.Ordinal)}%'")).ShouldBe(0);
    }

    [Fact]
    public async Task Refusals_name_the_fix_and_change_nothing()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "c");
        await s.ExecAllAsync(Table);
        await s.AddNodesAsync();
        var id = s.Id.Replace("_", "", StringComparison.Ordinal);
        var oneWay = "ow" + id;
        var multi = "mm" + id;
        (await s.Ibex("sync", "add", oneWay, "--tables", "orders", "--source", "a", "--target", "b")).ShouldSucceed();

        (await s.Ibex("switchover", oneWay, "--to", "nosuch")).ShouldFail("unknown node 'nosuch'");
        (await s.Ibex("switchover", oneWay, "--to", "a")).ShouldFail("already the source");
        (await s.Ibex("switchover", oneWay, "--to", "c")).ShouldFail("not a target");
        (await s.Ibex("switchover", oneWay, "--to", "b")).ShouldFail("no daemon is running it");

        s.StartDaemon();
        await s.WaitAsync(oneWay, 60);
        // The target falls behind: its table is locked against writes (reads still work) while the source writes.
        await using (var blocker = await s.OpenAsync("b"))
        {
            await using var tx = await blocker.BeginTransactionAsync(TestContext.Current.CancellationToken);
            await blocker.ExecAsync("LOCK TABLE orders IN SHARE MODE");
            await s.ExecAsync("a", "INSERT INTO orders (note) VALUES ('stuck')");
            await Poll.UntilAsync(async () => await s.Ibex("switchover", oneWay, "--to", "b", "--max-lag", "1", "--dry-run"), r => r.ExitCode != 0, 60, r => r.Output);
            (await s.Ibex("switchover", oneWay, "--to", "b", "--max-lag", "1")).ShouldFail("more than --max-lag 1 s");
            await tx.RollbackAsync(TestContext.Current.CancellationToken);
        }
        await s.WaitAsync(oneWay, 60);
        var dry = (await s.Ibex("switchover", oneWay, "--to", "b", "--dry-run")).ShouldSucceed();
        dry.Output.ShouldContain("dry run, nothing changed");
        await s.StopDaemonAsync();

        (await s.Ibex("sync", "add", multi, "--tables", "orders", "--source", "a", "--source", "c", "--copy", "never")).ShouldSucceed();
        (await s.Ibex("switchover", multi, "--to", "c")).ShouldFail("multi-master");

        // Nothing changed: the sync still flows a -> b, no database was made read-only, no slot was made on b.
        var shown = JsonDocument.Parse((await s.Ibex("sync", "show", oneWay, "--json")).ShouldSucceed().Output).RootElement;
        shown.GetProperty("sources")[0].GetProperty("node").GetString().ShouldBe("a");
        foreach (var node in new[] { "a", "b" })
        {
            (await s.ScalarAsync<string>(node, "SHOW default_transaction_read_only")).ShouldBe("off");
            (await s.ScalarAsync<long>(node, "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database()")).ShouldBe(0);
        }
        (await s.ScalarAsync<long>("b", $"SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '%{oneWay}%'")).ShouldBe(0);
        (await s.ScalarAsync<string>("a", $"SELECT string_agg(slot_name, ',') FROM pg_replication_slots WHERE slot_name LIKE '%{oneWay}%'")).ShouldContain(oneWay);
    }
}
