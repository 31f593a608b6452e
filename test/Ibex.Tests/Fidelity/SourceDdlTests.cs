using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Fidelity;

/// <summary>A synced table renamed, moved or dropped on the source, or a table published outside the sync, stops the
/// link with an error naming it; the changes stay in the slot, so nothing is lost once it is put back.</summary>
public class SourceDdlTests(SharedClusters clusters)
{
    static string SyncName(Scenario s, string prefix) => prefix + s.Id.Replace("_", "", StringComparison.Ordinal);

    static async Task<string> StatusUntilAsync(Scenario s, string sync, string text)
        => (await Poll.UntilAsync(async () => await s.Ibex("status", sync), r => r.Output.Contains(text, StringComparison.Ordinal), 60,
            r => $"status never mentioned '{text}': {r.Output}\n--- daemon log ---\n{s.DaemonLog}")).Output;

    [Fact]
    public async Task A_renamed_or_moved_table_stops_the_link_and_nothing_is_lost_once_it_is_back()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "ren");
        await s.ExecAllAsync("CREATE TABLE evlog (id int PRIMARY KEY, v text); CREATE SCHEMA elsewhere");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.evlog", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO evlog SELECT g, 'a' FROM generate_series(1, 10) g");
        await s.WaitAsync(sync);

        await s.ExecAsync("src", "ALTER TABLE evlog RENAME TO evlog2");
        await s.ExecAsync("src", "INSERT INTO evlog2 SELECT g, 'b' FROM generate_series(11, 20) g; UPDATE evlog2 SET v = 'u' WHERE id = 1");
        var status = await StatusUntilAsync(s, sync, "renamed");
        status.ShouldContain("public.evlog2");
        (await s.Ibex("wait", sync, "--timeout", "3")).ExitCode.ShouldNotBe(0, "a renamed table must not look caught up");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM evlog")).ShouldBe(10);

        await s.ExecAsync("src", "ALTER TABLE evlog2 RENAME TO evlog");
        await s.ExecAsync("src", "INSERT INTO evlog SELECT g, 'c' FROM generate_series(21, 25) g");
        await s.WaitAsync(sync, 120);
        await s.ShouldMatchAsync("evlog", "id", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM evlog")).ShouldBe(25);

        await s.ExecAsync("src", "ALTER TABLE evlog SET SCHEMA elsewhere");
        await s.ExecAsync("src", "INSERT INTO elsewhere.evlog VALUES (26, 'd')");
        (await StatusUntilAsync(s, sync, "elsewhere.evlog")).ShouldContain("public.evlog");
        await s.ExecAsync("src", "ALTER TABLE elsewhere.evlog SET SCHEMA public");
        await s.WaitAsync(sync, 120);
        await s.ShouldMatchAsync("evlog", "id", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM evlog")).ShouldBe(26);
    }

    [Fact]
    public async Task A_synced_table_missing_on_the_source_when_the_daemon_starts_is_named()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "gone");
        await s.ExecAllAsync("CREATE TABLE keep (id int PRIMARY KEY); CREATE TABLE dropme (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.keep,public.dropme", "--source", "src", "--target", "dst", "--copy", "never")).ShouldSucceed();
        await s.ExecAsync("src", "DROP TABLE dropme");
        s.StartDaemon();
        (await StatusUntilAsync(s, sync, "missing on the source")).ShouldContain("public.dropme");
        // The way out the message gives works: the table leaves the sync and the rest streams.
        (await s.Ibex("sync", "remove-table", sync, "public.dropme")).ShouldSucceed();
        await s.ExecAsync("src", "INSERT INTO keep VALUES (1)");
        await s.WaitAsync(sync, 120);
        (await s.RowsAsync("dst", "keep")).ShouldBe(["(1)"]);
    }

    [Fact]
    public async Task A_synced_table_dropped_while_streaming_stops_the_link_naming_it()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "drop");
        await s.ExecAllAsync("CREATE TABLE keep (id int PRIMARY KEY); CREATE TABLE dropme (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.keep,public.dropme", "--source", "src", "--target", "dst", "--copy", "never")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO dropme VALUES (1)");
        await s.WaitAsync(sync);
        await s.ExecAsync("src", "DROP TABLE dropme");
        (await StatusUntilAsync(s, sync, "missing on the source")).ShouldContain("public.dropme");
    }

    [Fact]
    public async Task Changes_of_a_published_table_outside_the_sync_stop_the_link_naming_it()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "xtra");
        await s.ExecAllAsync("CREATE TABLE mine (id int PRIMARY KEY); CREATE TABLE stray (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.mine", "--source", "src", "--target", "dst", "--copy", "never")).ShouldSucceed();
        await s.ExecAsync("src", $"ALTER PUBLICATION ibex_{sync} ADD TABLE stray");
        s.StartDaemon();
        await s.ExecAsync("src", "BEGIN; INSERT INTO mine VALUES (1); INSERT INTO stray VALUES (1); COMMIT");
        (await StatusUntilAsync(s, sync, "public.stray")).ShouldContain("not in the sync");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM mine")).ShouldBe(0, "the transaction waits whole");
    }
}
