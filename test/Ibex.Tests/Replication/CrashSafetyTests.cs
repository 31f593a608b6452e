using System.Text;
using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Replication;

/// <summary>Exactly-once under crashes: the daemon is SIGKILLed at random moments while 20,000+ transactions stream.</summary>
public class CrashSafetyTests(SharedClusters clusters)
{
    [Fact]
    public async Task Killing_the_daemon_ten_times_loses_and_duplicates_nothing()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "t1", "t2");
        // ledger has a key; journal has none (REPLICA IDENTITY FULL), so a transaction applied twice would show as a duplicate row.
        await s.ExecAllAsync("""
            CREATE TABLE ledger (id bigint PRIMARY KEY, balance bigint NOT NULL, note text);
            CREATE TABLE journal (txn bigint NOT NULL, entry text);
            ALTER TABLE journal REPLICA IDENTITY FULL;
            """);
        await s.ExecAsync("src", "INSERT INTO ledger SELECT g, 0, NULL FROM generate_series(1, 100) g");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "crash", "--tables", "ledger,journal", "--source", "src", "--target", "t1", "--target", "t2")).ShouldSucceed();

        // The writer goes on until the tenth kill (and at least this many transactions), so every kill lands while
        // the source is being written, however fast or slow this machine is.
        const int minimumTransactions = 20_000;
        var killsDone = 0;
        var transactions = 0;
        var log = new StringBuilder();
        var daemon = DaemonProcess.Start(s.ControlDsn, log);
        var writer = Task.Run(async () =>
        {
            var (cluster, db) = s.Node("src");
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            for (var i = 1; i <= minimumTransactions || Volatile.Read(ref killsDone) == 0; i++)
            {
                // One transaction: move money between two accounts and journal it; every 50th also deletes and re-creates a row.
                var sql = $"BEGIN; UPDATE ledger SET balance = balance - 1 WHERE id = {1 + (i % 100)}; UPDATE ledger SET balance = balance + 1 WHERE id = {1 + ((i * 7) % 100)}; INSERT INTO journal VALUES ({i}, 'move {i}');"
                          + (i % 50 == 0 ? $" DELETE FROM ledger WHERE id = 1000 + {i % 7}; INSERT INTO ledger VALUES (1000 + {i % 7}, {i}, 'recreated');" : "")
                          + " COMMIT;";
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
                transactions = i;
            }
        });
        var random = new Random(42);
        try
        {
            var killsDuringWrites = 0;
            long seen = 0;
            for (var kill = 0; kill < 10; kill++)
            {
                // Kill only once this daemon has applied something, so every kill lands mid-stream.
                var deadline = DateTime.UtcNow.AddSeconds(60);
                long now;
                while ((now = await s.ScalarAsync<long>("t1", "SELECT count(*) FROM journal")) <= seen && DateTime.UtcNow < deadline)
                    await Task.Delay(50, TestContext.Current.CancellationToken);
                now.ShouldBeGreaterThan(seen, $"daemon {kill} applied nothing within 60s\n{log}");
                seen = now;
                await Task.Delay(random.Next(0, 400), TestContext.Current.CancellationToken);
                if (!writer.IsCompleted)
                    killsDuringWrites++;
                await daemon.KillAsync();
                await daemon.DisposeAsync();
                daemon = DaemonProcess.Start(s.ControlDsn, log);
            }
            Volatile.Write(ref killsDone, 1);
            killsDuringWrites.ShouldBe(10, "every kill lands while the source is written");
            await writer.WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
            transactions.ShouldBeGreaterThanOrEqualTo(minimumTransactions);
            var r = await s.Ibex("wait", "crash", "--timeout", "120");
            r.ExitCode.ShouldBe(0, $"{r.Error}\n--- daemon log ---\n{log}");
            foreach (var t in new[] { "t1", "t2" })
            {
                (await s.ScalarAsync<long>(t, "SELECT count(*) FROM journal")).ShouldBe(transactions, $"journal on {t}");
                (await s.ScalarAsync<long>(t, "SELECT count(DISTINCT txn) FROM journal")).ShouldBe(transactions, $"distinct journal on {t}");
            }
            await s.ShouldMatchAsync("ledger", "id", "src", "t1", "t2");
            await s.ShouldMatchAsync("journal", "txn", "src", "t1", "t2");
        }
        finally
        {
            await daemon.DisposeAsync();
        }
    }
}
