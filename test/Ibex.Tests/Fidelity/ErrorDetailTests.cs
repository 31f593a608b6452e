using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Fidelity;

/// <summary>Errors carry what the operator needs: PostgreSQL's real cause, the key, the way to recover.</summary>
public class ErrorDetailTests(SharedClusters clusters)
{
    static string SyncName(Scenario s, string prefix) => prefix + s.Id.Replace("_", "", StringComparison.Ordinal);

    static async Task<string> StatusUntilAsync(Scenario s, string sync, string text)
        => (await Poll.UntilAsync(async () => await s.Ibex("status", sync), r => r.Output.Contains(text, StringComparison.Ordinal), 60,
            r => $"status never mentioned '{text}': {r.Output}\n--- daemon log ---\n{s.DaemonLog}")).Output;

    [Fact]
    public async Task A_publication_PostgreSQL_refuses_is_reported_with_its_real_cause()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE filtered (id int PRIMARY KEY, at timestamptz)");
        await s.AddNodesAsync();
        var r = await s.Ibex("sync", "add", SyncName(s, "pub"), "--tables", "public.filtered", "--source", "src", "--target", "dst", "--where", "public.filtered=id > random()");
        r.ExitCode.ShouldNotBe(0);
        r.Error.TrimEnd().ShouldNotContain("\n");
        r.Error.ShouldNotContain("already exists");
        r.Error.ShouldContain("node 'src'");
        r.Error.ShouldContain("invalid publication WHERE expression");
        r.Error.ShouldContain("mutable functions are not allowed");
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).ShouldBe(0);
    }

    [Fact]
    public async Task A_duplicate_key_on_the_target_names_the_key()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "dup");
        await s.ExecAllAsync("CREATE TABLE accounts (id int PRIMARY KEY, v text)");
        await s.ExecAsync("dst", "INSERT INTO accounts VALUES (5, 'already here')");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.accounts", "--source", "src", "--target", "dst", "--copy", "never")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO accounts VALUES (5, 'new')");
        var status = await StatusUntilAsync(s, sync, "accounts_pkey");
        status.ShouldContain("Key (id)=(5) already exists");
    }

    [Fact]
    public async Task A_dropped_slot_says_how_to_recover()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = SyncName(s, "slot");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.t", "--source", "src", "--target", "dst")).ShouldSucceed();
        await s.ExecAsync("src", $"SELECT pg_drop_replication_slot('ibex_{sync}_src')");
        s.StartDaemon();
        var status = await StatusUntilAsync(s, sync, "does not exist");
        status.ShouldContain($"ibex sync remove {sync}");
        status.ShouldContain($"ibex sync add {sync}");
    }
}
