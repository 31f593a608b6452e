using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Operations;

public partial class DashboardTests(SharedClusters clusters)
{
    [Fact]
    public async Task Dashboard_shows_sync_cards_with_live_numbers_and_a_lag_chart_in_a_real_browser()
    {
        var ct = TestContext.Current.CancellationToken;
        var (browser, reason) = await Chromium.FindOrInstallAsync();
        if (browser is null)
            Assert.Skip($"no browser for the dashboard test: {reason}");

        await using var s = await Scenario.CreateAsync(clusters, "shop_primary", "replica_a", "replica_b");
        await s.ExecAllAsync("CREATE TABLE orders (id bigint PRIMARY KEY, item text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "shop", "--tables", "orders", "--source", "shop_primary", "--target", "replica_a", "--target", "replica_b")).ShouldSucceed();
        await using var daemon = await MonitoredDaemon.StartAsync(s.ControlDsn);
        await s.WaitAsync("shop");
        await s.ExecAsync("shop_primary", "INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 1234) g");
        await s.WaitAsync("shop");

        // Hold replica_b back for a few seconds (its table locked while the source writes), so the chart has a peak to draw.
        await using (var blocker = await s.OpenAsync("replica_b"))
        {
            await using var tx = await blocker.BeginTransactionAsync(ct);
            await blocker.ExecAsync("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
            await s.ExecAsync("shop_primary", "INSERT INTO orders VALUES (5000, 'late')");
            await Poll.UntilAsync(() => daemon.GetAsync("/api/status"), r => History(r.Body, "replica_b").Any(p => p >= 2), 60, r => r.Body);
            await tx.RollbackAsync(ct);
        }
        await s.WaitAsync("shop");

        // Wait until every link has been sampled since it caught up (one sample per second here).
        await Poll.UntilAsync(() => daemon.GetAsync("/api/status"), r =>
        {
            var sync = JsonDocument.Parse(r.Body).RootElement.GetProperty("syncs").EnumerateArray().Single();
            return sync.GetProperty("links").EnumerateArray().All(l => l.GetProperty("rows_applied").GetInt64() == 1235)
                   && History(r.Body, "replica_b").Count >= 3 && History(r.Body, "replica_b")[^1] < 1;
        }, 60, r => r.Body);

        // Every asset comes from the daemon; nothing is loaded from elsewhere.
        var page = await daemon.GetAsync("/");
        page.Status.ShouldBe(HttpStatusCode.OK);
        page.ContentType.ShouldBe("text/html; charset=utf-8");
        foreach (var asset in new[] { "/", "/dashboard.js", "/dashboard.css" })
        {
            var body = (await daemon.GetAsync(asset)).Body;
            ExternalUrlRegex().IsMatch(body).ShouldBeFalse($"{asset} refers to another host");
        }
        (await daemon.GetAsync("/nothing-here")).Status.ShouldBe(HttpStatusCode.NotFound);

        var dom = await Chromium.HeadlessAsync(browser!, daemon.Address.ToString(), 6000, "--dump-dom");
        dom.ExitCode.ShouldBe(0, dom.Error);
        var html = dom.Output;
        html.ShouldContain("data-loaded=\"true\"", customMessage: "the page's script did not render the status:\n" + html + dom.Error);
        var card = Regex.Match(html, "<article class=\"sync-card state-streaming\" data-sync=\"shop\">.*?</article>", RegexOptions.Singleline);
        card.Success.ShouldBeTrue("no streaming card for sync shop:\n" + html);
        var c = card.Value;
        foreach (var node in new[] { "shop_primary", "replica_a", "replica_b" })
            c.ShouldContain(node);
        c.ShouldContain(">source<");
        c.ShouldContain(">target<");
        Regex.Matches(c, "<td class=\"num rows-applied\">1,235</td>").Count.ShouldBe(2, c);
        c.ShouldContain("<span class=\"badge state badge-streaming\">streaming</span>");
        Regex.Matches(c, "<span class=\"badge badge-streaming\">streaming</span>").Count.ShouldBe(2, c);
        var chart = Regex.Match(c, "<svg class=\"lag-chart\"[^>]*data-points=\"(\\d+)\"", RegexOptions.Singleline);
        chart.Success.ShouldBeTrue("no lag chart in the card:\n" + c);
        int.Parse(chart.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(6);
        var lagSvg = Regex.Match(c, "<svg class=\"lag-chart\".*?</svg>", RegexOptions.Singleline).Value;
        Regex.Matches(lagSvg, "<polyline points=\"[0-9., ]+\" stroke=\"#[0-9a-f]{6}\" data-link=\"shop_primary(-&gt;|->)replica_[ab]\"").Count.ShouldBe(2, c);

        // Beside it, the throughput chart: rows/s per link, which rose while the 1234 rows were applied.
        var rate = Regex.Match(c, "<svg class=\"rate-chart\"[^>]*data-points=\"(\\d+)\" data-max=\"([0-9.]+)\".*?</svg>", RegexOptions.Singleline);
        rate.Success.ShouldBeTrue("no throughput chart in the card:\n" + c);
        int.Parse(rate.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(4);
        double.Parse(rate.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0, "the rows/s chart never rose");
        Regex.Matches(rate.Value, "<polyline points=\"[0-9., ]+\" stroke=\"#[0-9a-f]{6}\" data-link=\"shop_primary(-&gt;|->)replica_[ab]\"").Count.ShouldBe(2, rate.Value);
        // Conflicts per kind over time: none in a one-way sync, said so.
        c.ShouldContain("<svg class=\"conflict-chart\"");
        Regex.IsMatch(c, "<svg class=\"conflict-chart\"[^>]*data-kinds=\"0\" data-total=\"0\"").ShouldBeTrue(c);
        c.ShouldContain("no conflicts since the daemon started");

        // The topology graph: one element per node, one per link, each link coloured by its state and labelled with its lag.
        var topology = Regex.Match(html, "<svg class=\"topology\"[^>]*data-nodes=\"3\" data-links=\"2\"[^>]*>.*?</svg>", RegexOptions.Singleline);
        topology.Success.ShouldBeTrue("no topology graph of 3 nodes and 2 links:\n" + html);
        var g = topology.Value;
        Regex.Matches(g, "<g class=\"topo-node[^\"]*\" data-node=\"([a-z_]+)\"").Select(m => m.Groups[1].Value).Order().ShouldBe(["replica_a", "replica_b", "shop_primary"]);
        g.ShouldContain("<g class=\"topo-node role-source\" data-node=\"shop_primary\">");
        foreach (var target in new[] { "replica_a", "replica_b" })
            Regex.Matches(g, "<g class=\"topo-link state-streaming link-ok\" data-sync=\"shop\" data-link=\"shop_primary(-&gt;|->)" + target + "\" data-state=\"streaming\"><title>[^<]*</title>"
                + "<path class=\"edge\" d=\"M[0-9.,]+ Q[0-9.,]+ [0-9.,]+\" marker-end=\"url\\(#arrow-ok\\)\"></path><text class=\"edge-label\"[^>]*>lag [0-9.]+ (ms|s)</text></g>").Count.ShouldBe(1, g);
        c.ShouldContain("Recent errors");
        c.ShouldContain("Recent conflicts");

        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        var png = Path.Combine(artifacts, "dashboard.png");
        File.Delete(png);
        var shot = await Chromium.HeadlessAsync(browser!, daemon.Address.ToString(), 6000, $"--screenshot={png}", "--window-size=1280,900");
        shot.ExitCode.ShouldBe(0, shot.Error);
        File.Exists(png).ShouldBeTrue(shot.Error);
        var bytes = await File.ReadAllBytesAsync(png, ct);
        bytes.Length.ShouldBeGreaterThan(10_000);
        TestContext.Current.AddAttachment("dashboard.png", bytes, "image/png");
        TestContext.Current.SendDiagnosticMessage($"dashboard screenshot: {png}");
    }

    static List<double> History(string status, string target)
        => [.. JsonDocument.Parse(status).RootElement.GetProperty("syncs")[0].GetProperty("links").EnumerateArray()
            .Single(l => l.GetProperty("target").GetString() == target).GetProperty("history").EnumerateArray()
            .Where(p => p[1].ValueKind == JsonValueKind.Number).Select(p => p[1].GetDouble())];

    [GeneratedRegex(@"(src|href)\s*=\s*[""']?\s*(https?:)?//|url\(\s*[""']?(https?:)?//|fetch\(\s*[""']https?:", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrlRegex();
}
