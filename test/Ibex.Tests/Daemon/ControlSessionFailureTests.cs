using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Daemon;

public class ControlSessionFailureTests(SharedClusters clusters)
{
    [Fact]
    public async Task The_status_sessions_killed_under_load_recover_without_duplicate_apply_and_leave_an_event()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE st (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        var sync = "stkill" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "st", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon(sync);
        await s.WaitAsync(sync);

        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            await using var conn = await s.OpenAsync("src");
            while (!stop.IsCancellationRequested)
            {
                await using var cmd = new NpgsqlCommand("INSERT INTO st VALUES ($1)", conn);
                cmd.Parameters.Add(new() { Value = Interlocked.Increment(ref written) });
                await cmd.ExecuteNonQueryAsync();
            }
        });
        // Every pooled control session of the daemon (status publishing, events, kicks) is ended again and again for
        // a few seconds while rows flow, so the status publisher's own session is among them.
        await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        long killed = 0;
        var until = DateTime.UtcNow.AddSeconds(3);
        while (DateTime.UtcNow < until)
        {
            killed += await control.ScalarAsync<long>(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ibex control' AND pid <> pg_backend_pid()");
            await Task.Delay(50, TestContext.Current.CancellationToken); // the pace of the fault, not a wait for a result
        }
        var before = await s.ScalarAsync<long>("dst", "SELECT count(*) FROM st");
        await Poll.UntilAsync(() => s.ScalarAsync<long>("dst", "SELECT count(*) FROM st"), n => n > before + 10, 30, n => $"stalled at {n}\n{s.DaemonLog}");
        await stop.CancelAsync();
        await writer;
        killed.ShouldBeGreaterThan(1);

        await s.WaitAsync(sync, 60);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM st")).ShouldBe(written);
        await s.ShouldMatchAsync("st", "id", "src", "dst");
        await Poll.UntilAsync(() => control.ScalarAsync<long>("SELECT count(*) FROM ibex.event WHERE sync = $1 AND message LIKE 'status could not be published%'", sync),
            n => n > 0, 30, _ => s.DaemonLog);
        var status = (await s.Ibex("status", sync)).Output;
        status.ShouldContain("streaming");
        status.ShouldContain("status could not be published");
    }
}
