using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Copy;

/// <summary>
/// The initial copy reads its tables' columns a moment before its snapshot is taken. A column added on the source in
/// between was left out of the copied rows: the target got them without it, the stream (which starts after the
/// snapshot) had nothing to say about them, and once the operator added the column its values were the default, not
/// the source's. DriftTests met this now and then under load (the target held rows where the sync should have stopped).
/// </summary>
public class SnapshotLayoutTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_column_added_on_the_source_just_before_the_copys_snapshot_stops_the_copy_with_the_fix_and_no_value_is_lost()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE items (id int PRIMARY KEY, name text); CREATE TABLE other (id int PRIMARY KEY)");
        await s.ExecAsync("src", "INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 20) g");
        await s.AddNodesAsync();
        var sync = "snap" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "items", "--source", "src", "--target", "dst")).ShouldSucceed();

        // An open transaction on the source: the copy's slot cannot export its snapshot until it ends, so the copy has
        // read its columns and waits there while the column is added.
        await using var open = await s.OpenAsync("src");
        await open.ExecAsync("BEGIN");
        await open.ExecAsync("INSERT INTO other VALUES (1)");
        s.StartDaemon();
        await Poll.UntilAsync(() => s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'CREATE_REPLICATION_SLOT%TEMPORARY%' AND wait_event_type = 'Lock'"),
            n => n == 1, 60, n => $"{n} copy slots waiting\n{s.DaemonLog}");
        await s.ExecAsync("src", "ALTER TABLE items ADD COLUMN price numeric DEFAULT 0");
        await s.ExecAsync("src", "UPDATE items SET price = id + 0.5");
        await open.ExecAsync("COMMIT");

        var status = await Poll.UntilAsync(async () => (await s.Ibex("status", sync)).Output, o => o.Contains("ADD COLUMN", StringComparison.Ordinal), 60,
            o => $"the copy never named the missing column:\n{o}\n{s.DaemonLog}");
        status.ShouldContain("""ALTER TABLE "public"."items" ADD COLUMN "price" numeric DEFAULT 0;""");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM items")).ShouldBe(0);

        await s.ExecAsync("dst", "ALTER TABLE items ADD COLUMN price numeric DEFAULT 0");
        await s.WaitAsync(sync, 120);
        await s.ShouldMatchAsync("items", "id", "src", "dst");
        (await s.ScalarAsync<decimal>("dst", "SELECT sum(price) FROM items")).ShouldBe(220m);
    }
}
