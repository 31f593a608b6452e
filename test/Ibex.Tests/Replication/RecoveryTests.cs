using System.Text;
using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Replication;

public class RecoveryTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_target_stopped_for_ten_seconds_catches_up_while_the_other_never_stops()
    {
        await using var own = await LocalCluster.StartAsync("downtarget", cancellationToken: TestContext.Current.CancellationToken);
        await using var s = await Scenario.CreateAsync(await clusters.GetAsync(0), ("src", await clusters.GetAsync(0)), ("down", own), ("up", await clusters.GetAsync(1)));
        await s.ExecAllAsync("CREATE TABLE ticks (id bigint PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "rec", "--tables", "ticks", "--source", "src", "--target", "down", "--target", "up")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync("rec");

        using var stop = new CancellationTokenSource();
        long written = 0;
        var writer = Task.Run(async () =>
        {
            var (cluster, db) = s.Node("src");
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var cmd = new NpgsqlCommand($"INSERT INTO ticks (id) VALUES ({Interlocked.Increment(ref written)})", conn);
                await cmd.ExecuteNonQueryAsync();
                await Task.Delay(2);
            }
        });
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        await own.StopServerAsync("immediate", TestContext.Current.CancellationToken);
        var before = await s.ScalarAsync<long>("up", "SELECT count(*) FROM ticks");
        // The other target keeps receiving during the whole outage.
        var samples = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(1000, TestContext.Current.CancellationToken);
            samples.Add(await s.ScalarAsync<long>("up", "SELECT count(*) FROM ticks"));
        }
        samples[0].ShouldBeGreaterThan(before);
        for (var i = 1; i < samples.Count; i++)
            samples[i].ShouldBeGreaterThan(samples[i - 1], $"'up' stalled during the outage: {string.Join(",", samples)}\n{s.DaemonLog}");
        var status = await s.Ibex("status", "rec", "--json");
        status.Output.ShouldContain("\"down\"");

        await own.StartServerAsync(TestContext.Current.CancellationToken);
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await writer;
        await s.WaitAsync("rec", 90);
        await s.ShouldMatchAsync("ticks", "id", "src", "down", "up");
        (await s.ScalarAsync<long>("down", "SELECT count(*) FROM ticks")).ShouldBe(written);
    }

    [Fact]
    public async Task Initial_copy_under_concurrent_writes_has_no_gap()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE big (id bigint PRIMARY KEY, v int NOT NULL, pad text)");
        await s.ExecAsync("src", "INSERT INTO big SELECT g, 0, repeat('p', 50) FROM generate_series(1, 200000) g");
        await s.AddNodesAsync();

        using var stop = new CancellationTokenSource();
        long ops = 0;
        var writer = Task.Run(async () =>
        {
            var (cluster, db) = s.Node("src");
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            var random = new Random(7);
            var next = 300000L;
            while (!stop.IsCancellationRequested)
            {
                var id = random.Next(1, 200000);
                var sql = (Interlocked.Increment(ref ops) % 3) switch
                {
                    0 => $"UPDATE big SET v = v + 1 WHERE id = {id}",
                    1 => $"INSERT INTO big VALUES ({next++}, 1, 'new')",
                    _ => $"DELETE FROM big WHERE id = {id}",
                };
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
            }
        });
        await Task.Delay(300, TestContext.Current.CancellationToken);
        (await s.Ibex("sync", "add", "copyw", "--tables", "big", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        // Keep writing through the copy and a while after it.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!(await s.Ibex("status", "copyw", "--json")).Output.Contains("\"streaming\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(200, TestContext.Current.CancellationToken);
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await writer;
        ops.ShouldBeGreaterThan(100);
        await s.WaitAsync("copyw", 120);
        await s.ShouldMatchAsync("big", "id", "src", "dst");
    }

    [Fact]
    public async Task A_two_million_row_transaction_replicates_within_300_MB()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE huge (id bigint PRIMARY KEY, k int, payload text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "huge", "--tables", "huge", "--source", "src", "--target", "dst", "--copy", "never")).ShouldSucceed();
        var log = new StringBuilder();
        await using var daemon = DaemonProcess.Start(s.ControlDsn, log);
        await s.WaitAsync("huge");
        await s.ExecAsync("src", "INSERT INTO huge SELECT g, g % 1000, md5(g::text) || md5((g * 2)::text) FROM generate_series(1, 2000000) g");
        long peak = 0;
        var waiting = s.Ibex("wait", "huge", "--timeout", "600");
        while (!waiting.IsCompleted)
        {
            peak = Math.Max(peak, daemon.PeakRssBytes());
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        (await waiting).ExitCode.ShouldBe(0, log.ToString());
        peak = Math.Max(peak, daemon.PeakRssBytes());
        TestContext.Current.SendDiagnosticMessage($"peak RSS of the daemon for a 2,000,000-row transaction: {peak / (1024 * 1024)} MB");
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "peak-rss-2m.txt"), $"{peak / (1024 * 1024)} MB\n");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM huge")).ShouldBe(2_000_000);
        (await s.ScalarAsync<string>("dst", "SELECT md5(string_agg(payload, '' ORDER BY id)) FROM huge"))
            .ShouldBe(await s.ScalarAsync<string>("src", "SELECT md5(string_agg(payload, '' ORDER BY id)) FROM huge"));
        peak.ShouldBeLessThan(300L * 1024 * 1024, $"peak RSS {peak / (1024 * 1024)} MB");
    }

    [Fact]
    public async Task The_fourth_target_restart_in_a_row_recovers_as_fast_as_the_first()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var own = await LocalCluster.StartAsync("restarts", cancellationToken: ct);
        await using var s = await Scenario.CreateAsync(await clusters.GetAsync(0), ("src", await clusters.GetAsync(0)), ("dst", own));
        await s.ExecAllAsync("CREATE TABLE beats (id bigint PRIMARY KEY)");
        await s.AddNodesAsync();
        var sync = "restarts" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "beats", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync);

        using var stop = new CancellationTokenSource();
        long written = 0;
        var writer = Task.Run(async () =>
        {
            var (cluster, db) = s.Node("src");
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var cmd = new NpgsqlCommand($"INSERT INTO beats VALUES ({Interlocked.Increment(ref written)})", conn);
                await cmd.ExecuteNonQueryAsync();
                await Task.Delay(5);
            }
        });
        // Each time: the target is down for two seconds, then the time until it has a row written after its return.
        var recoveries = new List<double>();
        for (var i = 0; i < 4; i++)
        {
            await own.StopServerAsync("immediate", ct);
            await Task.Delay(2000, ct);
            await own.StartServerAsync(ct);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var goal = Interlocked.Read(ref written) + 1;
            await Poll.UntilAsync(() => s.ScalarAsync<long>("dst", "SELECT coalesce(max(id), 0) FROM beats"), n => n >= goal, 90, n => $"dst at {n}, waiting for {goal}\n{s.DaemonLog}");
            recoveries.Add(clock.Elapsed.TotalSeconds);
        }
        await stop.CancelAsync();
        await writer;
        TestContext.Current.SendDiagnosticMessage($"recoveries after target restarts: {string.Join(", ", recoveries.Select(r => r.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} s");
        // The backoff starts over once the link streams again: it must not carry over from one outage to the next.
        recoveries[^1].ShouldBeLessThan(recoveries[0] + 4, string.Join(", ", recoveries));
        await s.WaitAsync(sync);
        await s.ShouldMatchAsync("beats", "id", "src", "dst");
    }

    [Fact]
    public async Task A_transaction_larger_than_the_spill_cap_reaches_two_targets_without_stalling()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "one", "two");
        await s.ExecAllAsync("CREATE TABLE wide (id bigint PRIMARY KEY, pad text)");
        await s.AddNodesAsync();
        var sync = "capped" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "wide", "--source", "src", "--target", "one", "--target", "two", "--copy", "never")).ShouldSucceed();
        // Tiny queues: 64 kB in memory and a 256 kB spill file, so one transaction fills the file many times over.
        s.StartDaemon(new Ibex.Daemon.DaemonOptions
        {
            PollInterval = TimeSpan.FromSeconds(2),
            Apply = new Ibex.Apply.ApplyOptions { QueueMemoryBytes = 64 << 10, SpillCapBytes = 256 << 10 },
        });
        await s.WaitAsync(sync);
        await s.ExecAsync("src", "INSERT INTO wide SELECT g, repeat('w', 200) FROM generate_series(1, 20000) g");
        await s.ExecAsync("src", "INSERT INTO wide VALUES (0, 'after')");
        await s.WaitAsync(sync, 120);
        await s.ShouldMatchAsync("wide", "id", "src", "one", "two");
        (await s.ScalarAsync<long>("two", "SELECT count(*) FROM wide")).ShouldBe(20001);
    }
}
