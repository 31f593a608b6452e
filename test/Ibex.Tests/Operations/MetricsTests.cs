using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Operations;

public partial class MetricsTests(SharedClusters clusters)
{
    [Fact]
    public async Task Metrics_parse_strictly_counters_never_go_down_across_restarts_and_lag_rises_while_a_target_is_down()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var own = await LocalCluster.StartAsync("metricsdown", cancellationToken: ct);
        await using var s = await Scenario.CreateAsync(await clusters.GetAsync(0), ("src", await clusters.GetAsync(1)), ("dst", own));
        await s.ExecAllAsync("CREATE TABLE m (id bigint PRIMARY KEY, v int)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "metered", "--tables", "m", "--source", "src", "--target", "dst")).ShouldSucceed();

        // The real command: ibex run --http 127.0.0.1:0 (any free port), address taken from its log.
        var log = new StringBuilder();
        await using var daemon = DaemonProcess.Start(s.ControlDsn, log, "--http", "127.0.0.1:0");
        var address = await Poll.UntilAsync(() => Task.FromResult(AddressRegex().Match(Snapshot(log))), m => m.Success || daemon.HasExited, 60, _ => Snapshot(log));
        address.Success.ShouldBeTrue(Snapshot(log));
        var baseUri = new Uri(address.Groups[1].Value);
        baseUri.Host.ShouldBe("127.0.0.1");
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        await s.WaitAsync("metered");

        var previous = new Dictionary<string, double>();
        var scrapes = 0;
        async Task<PrometheusText> ScrapeAsync()
        {
            using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative), ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.ToString().ShouldBe("text/plain; version=0.0.4; charset=utf-8");
            var metrics = PrometheusText.Parse(await response.Content.ReadAsStringAsync(ct));
            foreach (var sample in metrics.Samples.Where(x => metrics.Types[x.Name] == "counter"))
            {
                if (previous.TryGetValue(sample.Key, out var before))
                    sample.Value.ShouldBeGreaterThanOrEqualTo(before, $"counter {sample.Key} went down at scrape {scrapes}");
                previous[sample.Key] = sample.Value;
            }
            foreach (var key in previous.Keys)
                metrics.Samples.Any(x => x.Key == key).ShouldBeTrue($"counter {key} disappeared at scrape {scrapes}");
            scrapes++;
            return metrics;
        }
        (string, string)[] link = [("sync", "metered"), ("source", "src"), ("target", "dst")];
        (string, string)[] inserts = [.. link, ("operation", "insert")];

        var first = await ScrapeAsync();
        first.Value("ibex_up").ShouldBe(1);
        first.Value("ibex_start_time_seconds").ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        first.Value("ibex_link_streaming", link).ShouldBe(1);
        first.Value("ibex_link_state", [.. link, ("state", "streaming")]).ShouldBe(1);
        first.Types["ibex_rows_applied_total"].ShouldBe("counter");
        first.Types["ibex_link_lag_seconds"].ShouldBe("gauge");
        foreach (var name in new[] { "ibex_transactions_applied_total", "ibex_apply_failures_total", "ibex_pipeline_restarts_total", "ibex_conflicts_total", "ibex_link_lag_bytes", "ibex_slot_retained_bytes", "ibex_copy_bytes_copied", "ibex_copy_bytes_estimated" })
            first.Types.ShouldContainKey(name);
        first.Help.Keys.ShouldBe(first.Types.Keys, ignoreOrder: true);
        (await http.GetAsync(new Uri("/healthz", UriKind.Relative), ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await s.ExecAsync("src", "INSERT INTO m SELECT g, 0 FROM generate_series(1, 500) g");
        await s.WaitAsync("metered");
        var applied = await ScrapeAsync();
        applied.Value("ibex_rows_applied_total", inserts).ShouldBe(500);
        applied.Value("ibex_transactions_applied_total", link).ShouldBeGreaterThanOrEqualTo(1);
        await s.ExecAsync("src", "UPDATE m SET v = 1 WHERE id <= 10; DELETE FROM m WHERE id > 490");
        await s.WaitAsync("metered");
        var more = await ScrapeAsync();
        more.Value("ibex_rows_applied_total", [.. link, ("operation", "update")]).ShouldBe(10);
        more.Value("ibex_rows_applied_total", [.. link, ("operation", "delete")]).ShouldBe(10);

        // Pause and resume: the daemon replaces the sync's runner, pipelines and links; totals carry on.
        (await s.Ibex("sync", "pause", "metered")).ShouldSucceed();
        await Poll.UntilAsync(ScrapeAsync, m => m.Value("ibex_sync_enabled", ("sync", "metered")) == 0, 30, _ => Snapshot(log));
        (await s.Ibex("sync", "resume", "metered")).ShouldSucceed();
        await s.WaitAsync("metered");
        await s.ExecAsync("src", "INSERT INTO m SELECT g, 0 FROM generate_series(1001, 1100) g");
        await s.WaitAsync("metered");
        var resumed = await Poll.UntilAsync(ScrapeAsync, m => m.Value("ibex_rows_applied_total", inserts) >= 600, 30, m => $"inserts {m.Value("ibex_rows_applied_total", inserts)}");
        resumed.Value("ibex_rows_applied_total", inserts).ShouldBe(600);

        // Target down while the source writes: the link stops streaming, lag rises from scrape to scrape, failures count.
        await own.StopServerAsync("immediate", ct);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 2000; !stop.IsCancellationRequested; i++)
            {
                await s.ExecAsync("src", "INSERT INTO m VALUES ($1, 0)", (long)i);
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);
        try
        {
            var down = await Poll.UntilAsync(ScrapeAsync, m => m.Find("ibex_link_lag_seconds", link).FirstOrDefault()?.Value > 2, 60,
                m => $"lag {m.Find("ibex_link_lag_seconds", link).FirstOrDefault()?.Value}, state {m.Find("ibex_link_state", link).FirstOrDefault()?.Labels["state"]}\n{Snapshot(log)}");
            down.Value("ibex_link_streaming", link).ShouldBe(0);
            var lag1 = down.Value("ibex_link_lag_seconds", link);
            var later = await Poll.UntilAsync(ScrapeAsync, m => m.Value("ibex_link_lag_seconds", link) > lag1 + 1, 30, m => $"lag stuck at {m.Value("ibex_link_lag_seconds", link)}");
            later.Value("ibex_link_lag_bytes", link).ShouldBeGreaterThan(0);
            later.Value("ibex_apply_failures_total", link).ShouldBeGreaterThanOrEqualTo(1);
            using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative), ct);
            health.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync(ct)).RootElement;
            body.GetProperty("status").GetString().ShouldBe("unhealthy");
            body.GetProperty("syncs")[0].GetProperty("name").GetString().ShouldBe("metered");
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        await own.StartServerAsync(ct);
        await s.WaitAsync("metered", 90);
        var recovered = await Poll.UntilAsync(ScrapeAsync, m => m.Value("ibex_link_streaming", link) == 1, 60, _ => Snapshot(log));
        recovered.Value("ibex_rows_applied_total", inserts).ShouldBe(await s.ScalarAsync<long>("dst", "SELECT count(*) FROM m") + 10);
        scrapes.ShouldBeGreaterThan(8);
        (await daemon.StopAsync()).ShouldBe(0, Snapshot(log));
    }

    static string Snapshot(StringBuilder log)
    {
        lock (log)
            return log.ToString();
    }

    [GeneratedRegex(@"dashboard, /metrics and /healthz at (http://\S+/)")]
    private static partial Regex AddressRegex();
}
