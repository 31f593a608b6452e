using System.Text;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Operations;

public class OtlpTests(SharedClusters clusters)
{
    [Fact]
    public async Task Otlp_endpoint_receives_the_metrics_with_their_prometheus_names_and_traces_of_copy_and_apply_batches()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE o (id bigint PRIMARY KEY, v int)");
        await s.ExecAsync("src", "INSERT INTO o SELECT g, 0 FROM generate_series(1, 100) g");
        await s.AddNodesAsync();
        var sync = "ot" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "o", "--source", "src", "--target", "dst")).ShouldSucceed();

        using var collector = new OtlpCollector();
        var log = new StringBuilder();
        // OTLP alone, no --http: the daemon samples for the exporter by itself.
        await using var daemon = DaemonProcess.Start(s.ControlDsn, log, "--otlp-endpoint", collector.Endpoint.ToString(), "--otlp-interval", "1s");
        await s.WaitAsync(sync);
        await s.ExecAsync("src", "INSERT INTO o SELECT g, 0 FROM generate_series(101, 400) g");
        await s.ExecAsync("src", "UPDATE o SET v = 1 WHERE id <= 7");
        await s.WaitAsync(sync);

        (string, string)[] link = [("sync", sync), ("source", "src"), ("target", "dst")];
        bool Has(OtlpDecoder.Point p, params (string Key, string Value)[] labels) => labels.All(l => p.Attributes.TryGetValue(l.Key, out var v) && v == l.Value);
        var points = await Poll.UntilAsync(() => Task.FromResult(collector.Bodies("/v1/metrics").SelectMany(OtlpDecoder.Metrics).ToList()),
            ps => ps.Any(p => p.Metric == "ibex_rows_applied_total" && Has(p, [.. link, ("operation", "insert")]) && p.Value == 300)
                  && ps.Any(p => p.Metric == "ibex_rows_applied_total" && Has(p, [.. link, ("operation", "update")]) && p.Value == 7),
            60, ps => $"{ps.Count} points: {string.Join(", ", ps.Select(p => p.Metric).Distinct())}\n{Snapshot(log)}");
        collector.Requests.First(r => r.Path == "/v1/metrics").ContentType.ShouldBe("application/x-protobuf");

        var rows = points.Where(p => p.Metric == "ibex_rows_applied_total").ToList();
        rows.ShouldAllBe(p => p.Type == "sum" && p.Monotonic && p.Temporality == 2, "rows applied: a cumulative monotonic sum (a Prometheus counter)");
        rows.First().Description.ShouldBe("Rows applied on the target by this daemon, by operation.");
        rows.First().Scope.ShouldBe("Ibex");
        var latest = points.Where(p => p.Metric == "ibex_link_streaming" && Has(p, link)).ToList();
        latest.ShouldNotBeEmpty();
        latest[^1].Type.ShouldBe("gauge");
        latest[^1].Value.ShouldBe(1);
        points.Any(p => p.Metric == "ibex_link_state" && Has(p, [.. link, ("state", "streaming")])).ShouldBeTrue("ibex_link_state streaming");
        points.ShouldContain(p => p.Metric == "ibex_up" && p.Value == 1);
        points.Any(p => p.Metric == "ibex_link_lag_seconds" && Has(p, link)).ShouldBeTrue("ibex_link_lag_seconds");
        points.ShouldContain(p => p.Metric == "ibex_conflicts_total" && p.Attributes["sync"] == sync && p.Attributes["kind"] == "update_origin_differs" && p.Value == 0);

        // Traces: the initial copy of the table and the apply round trips to the target, each a span with its names.
        var spans = await Poll.UntilAsync(() => Task.FromResult(collector.Bodies("/v1/traces").SelectMany(OtlpDecoder.Spans).ToList()),
            ss => ss.Any(x => x.Name == "ibex.copy") && ss.Any(x => x.Name == "ibex.apply.batch"), 60, ss => $"{ss.Count} spans: {string.Join(", ", ss.Select(x => x.Name).Distinct())}\n{Snapshot(log)}");
        var copy = spans.First(x => x.Name == "ibex.copy");
        copy.Scope.ShouldBe("Ibex");
        copy.Attributes["ibex.table"].ShouldBe("public.o");
        copy.Attributes["ibex.source"].ShouldBe("src");
        copy.Attributes["ibex.targets"].ShouldBe("dst");
        copy.Resource["service.name"].ShouldBe("ibex");
        var batches = spans.Where(x => x.Name == "ibex.apply.batch").ToList();
        batches.ShouldAllBe(x => x.Attributes["ibex.target"] == "dst");
        batches.ShouldContain(x => x.Attributes["ibex.origin"].Contains(sync, StringComparison.Ordinal));
        batches.Sum(x => int.Parse(x.Attributes["ibex.statements"], System.Globalization.CultureInfo.InvariantCulture)).ShouldBeGreaterThan(0);

        (await daemon.StopAsync()).ShouldBe(0, Snapshot(log));
    }

    [Fact]
    public async Task Otlp_endpoint_that_is_not_an_http_url_is_a_one_line_error()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src");
        (await s.Ibex("run", "--otlp-endpoint", "collector:4318")).ShouldFail("--otlp-endpoint 'collector:4318' is not an http(s) URL");
    }

    static string Snapshot(StringBuilder log)
    {
        lock (log)
            return log.ToString();
    }
}
