using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Daemon;

/// <summary>
/// With inline socket completions (Changes/InlineSocketCompletions, opt-in) the daemon runs socket continuations on the
/// socket engine's thread. Synchronous I/O on that thread waits for the thread itself: every connection of the daemon
/// stops for good. Npgsql ends a COPY opened through its text writer with synchronous I/O, so each transaction applied
/// through COPY could freeze the daemon — it did, under load, after a few seconds of 100-row transactions.
/// </summary>
public class InlineCompletionTests(SharedClusters clusters)
{
    [Fact]
    public async Task Hundreds_of_transactions_applied_through_copy_never_freeze_the_daemon()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst1", "dst2");
        await s.ExecAllAsync("CREATE TABLE burst (id bigint PRIMARY KEY, v text)");
        await s.AddNodesAsync();
        var sync = "burst" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "burst", "--source", "src", "--target", "dst1", "--target", "dst2", "--copy", "never")).ShouldSucceed();
        await using var daemon = DaemonProcess.Start(new Dictionary<string, string?> { ["IBEX_CONTROL"] = s.ControlDsn, ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1" });

        // Each transaction is long enough (more than 32 inserts into one table) to be applied through COPY; the source
        // commits them back to back while the daemon applies them to two targets.
        const int transactions = 300, rows = 40;
        for (var t = 0; t < transactions; t++)
            await s.ExecAsync("src", "INSERT INTO burst SELECT g, 'x' || g FROM generate_series($1::bigint, $1::bigint + $2 - 1) g", (long)t * rows, rows);
        foreach (var target in new[] { "dst1", "dst2" })
            await Poll.UntilAsync(() => s.ScalarAsync<long>(target, "SELECT count(*) FROM burst"), n => n == transactions * rows, 90,
                n => $"{n} of {transactions * rows} rows on {target}: the daemon stopped applying\n{daemon.Log}");
        await s.ShouldMatchAsync("burst", "id", "src", "dst1", "dst2");
        daemon.Log.ShouldContain("inline-socket-completions=on");
    }
}
