using System.Text.RegularExpressions;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Replication;

public partial class LinkFailureTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_target_rejecting_a_row_is_recorded_once_and_counted_once_per_failure_while_the_other_target_streams()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "good", "picky");
        await s.ExecAllAsync("CREATE TABLE r (id int PRIMARY KEY, v text)");
        // Only this target refuses the row (CHECK constraints hold even for replica sessions).
        await s.ExecAsync("picky", "ALTER TABLE r ADD CONSTRAINT r_not_bad CHECK (v <> 'bad')");
        await s.AddNodesAsync();
        var sync = "reject" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "r", "--source", "src", "--target", "good", "--target", "picky", "--copy", "never")).ShouldSucceed();
        await using var daemon = await MonitoredDaemon.StartAsync(s.ControlDsn);
        await s.ExecAsync("src", "INSERT INTO r VALUES (1, 'ok')");
        await Poll.UntilAsync(() => s.ScalarAsync<long>("picky", "SELECT count(*) FROM r"), n => n == 1, 60, n => $"{n} rows on picky\n{daemon.Log}");

        await s.ExecAsync("src", "INSERT INTO r VALUES (2, 'bad')");
        // Retries come after 1 s, 2 s, then 4 s: by the third failure there is a quiet stretch to read the counter in.
        (string, string)[] link = [("sync", sync), ("source", "src"), ("target", "picky")];
        var failures = await Poll.UntilAsync(async () => (await ScrapeAsync(daemon)).Value("ibex_apply_failures_total", link), n => n >= 3, 60, n => $"{n} failures\n{daemon.Log}");
        var logged = FailureLine().Matches(daemon.Log).Count(m => m.Value.Contains("-> picky", StringComparison.Ordinal));
        failures.ShouldBe(3, $"one count per failure ({logged} failures logged)\n{daemon.Log}");
        logged.ShouldBe(3, daemon.Log);

        // The same rejection at every retry is one event, naming the target and the constraint.
        var events = await ControlRowsAsync(s, "SELECT message FROM ibex.event WHERE sync = $1 AND node = 'picky' AND level = 'error'", sync);
        events.Count.ShouldBe(1, string.Join("\n", events) + "\n" + daemon.Log);
        events[0].ShouldContain("r_not_bad");

        // The other target of the same source goes on streaming.
        await s.ExecAsync("src", "INSERT INTO r VALUES (3, 'later')");
        await Poll.UntilAsync(() => s.ScalarAsync<long>("good", "SELECT count(*) FROM r"), n => n == 3, 60, n => $"{n} rows on good\n{daemon.Log}");
        (await s.ScalarAsync<long>("picky", "SELECT count(*) FROM r")).ShouldBe(1);
        daemon.Log.ShouldNotContain("ObjectDisposedException");
    }

    static async Task<PrometheusText> ScrapeAsync(MonitoredDaemon daemon) => PrometheusText.Parse((await daemon.GetAsync("/metrics")).Body);

    static async Task<List<string>> ControlRowsAsync(Scenario s, string sql, string sync)
    {
        await using var conn = new NpgsqlConnection(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new() { Value = sync });
        var rows = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            rows.Add(reader.GetString(0));
        return rows;
    }

    [GeneratedRegex(@"link src -> \w+: ")]
    private static partial Regex FailureLine();
}
