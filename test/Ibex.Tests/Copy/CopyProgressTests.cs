using System.Text.Json;
using Ibex.Cli;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Copy;

/// <summary>
/// A copy held in the middle (a trigger on the target waits on an advisory lock the test holds, at row 20,000 of
/// 200,000): <c>ibex status</c> (text and --json) and <c>ibex wait</c> show the rows and bytes done of those expected,
/// the rate and the time left, per table and in total.
/// </summary>
public class CopyProgressTests(SharedClusters clusters)
{
    const int Rows = 200_000;

    [Fact]
    public async Task Status_and_wait_show_rows_bytes_percent_rate_and_eta_of_a_copy_in_progress_and_exact_counts_after()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync(Holder.Sql("big", 20_000) + """
            CREATE TABLE small (id int PRIMARY KEY);
            """);
        await s.ExecAsync("a", $"INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, {Rows}) g; INSERT INTO small SELECT generate_series(1, 300)");
        await s.ExecAsync("a", "VACUUM ANALYZE big");
        await s.ExecAsync("a", "VACUUM ANALYZE small");
        await s.AddNodesAsync();
        var sync = "cp" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "big,small", "--source", "a", "--target", "b")).ShouldSucceed();

        await using (var hold = await Holder.HoldAsync(s, "b"))
        {
            s.StartDaemon(sync);
            var during = await Poll.UntilAsync(() => StatusAsync(s, sync), j => Table(j, "big") is { } t && t.GetProperty("state").GetString() == "copying"
                && t.GetProperty("rows_copied").GetInt64() >= 19_999 && Link(j).GetProperty("copy").GetProperty("tables_done").GetInt32() == 1, 60, j => j.ToString());
            var big = Table(during, "big")!.Value;
            big.GetProperty("rows_copied").GetInt64().ShouldBeLessThan(Rows);
            big.GetProperty("rows_expected").GetInt64().ShouldBe(Rows, during.ToString());
            big.GetProperty("bytes_copied").GetInt64().ShouldBeGreaterThan(19_999L * 100);
            big.GetProperty("bytes_expected").GetInt64().ShouldBeGreaterThan((long)Rows * 100);
            big.GetProperty("percent").GetDouble().ShouldBeInRange(9.9, 99.9);
            big.GetProperty("rows_per_second").GetDouble().ShouldBeGreaterThan(0);
            big.GetProperty("eta_seconds").GetDouble().ShouldBeGreaterThan(0);
            var total = Link(during).GetProperty("copy");
            total.GetProperty("tables_total").GetInt32().ShouldBe(2);
            total.GetProperty("rows_copied").GetInt64().ShouldBe(big.GetProperty("rows_copied").GetInt64() + 300);
            total.GetProperty("rows_expected").GetInt64().ShouldBe(Rows + 300);
            total.GetProperty("eta_seconds").GetDouble().ShouldBeGreaterThan(0);
            during.GetProperty("copy").GetProperty("rows_expected").GetInt64().ShouldBe(Rows + 300);

            var text = await s.Ibex("status", sync);
            text.Output.ShouldContain("1/2 tables, ");
            text.Output.ShouldContain("copy a -> b: ");
            text.Output.ShouldContain($"public.big: ");
            text.Output.ShouldContain(" of ~200,000 rows (");
            text.Output.ShouldContain("rows/s, ETA ");

            // ibex wait: a bar rewritten in place on a terminal, plain lines otherwise; neither catches up while held.
            var terminal = await WaitAsync(s, interactive: true, sync);
            terminal.Code.ShouldBe(1);
            terminal.Output.ShouldContain(CompareProgressLine.Erase + "[");
            terminal.Output.ShouldMatch(@"\[#*-+\] +[0-9.]+% 1/2 tables, [0-9,]+ of ~200,300 rows, [0-9.]+ [kMG]?B, [0-9,]+ rows/s, ETA \d");
            var plain = await WaitAsync(s, interactive: false, sync);
            plain.Code.ShouldBe(1);
            plain.Output.ShouldNotContain("\u001b");
            plain.Output.ShouldNotContain("[#");
            plain.Output.ShouldMatch(@"copying 1/2 tables, [0-9,]+ of ~200,300 rows \([0-9.]+%\), .*ETA \d");
        }

        await s.WaitAsync(sync, 120);
        var after = await StatusAsync(s, sync);
        Table(after, "big")!.Value.GetProperty("rows_copied").GetInt64().ShouldBe(Rows);
        Table(after, "small")!.Value.GetProperty("rows_copied").GetInt64().ShouldBe(300);
        var copy = after.GetProperty("copy");
        copy.GetProperty("rows_copied").GetInt64().ShouldBe(Rows + 300);
        copy.GetProperty("percent").GetDouble().ShouldBe(100);
        copy.GetProperty("eta_seconds").ValueKind.ShouldBe(JsonValueKind.Null);
        (await s.Ibex("status", sync)).Output.ShouldContain("done (2)");
        s.DaemonLog.ShouldContain("copying public.big to 'b': ");
    }

    static async Task<JsonElement> StatusAsync(Scenario s, string sync)
    {
        var r = (await s.Ibex("status", sync, "--json")).ShouldSucceed();
        return JsonDocument.Parse(r.Output).RootElement[0];
    }

    static JsonElement Link(JsonElement sync) => sync.GetProperty("links")[0];

    static JsonElement? Table(JsonElement sync, string name)
    {
        if (Link(sync).GetProperty("copy") is not { ValueKind: JsonValueKind.Object } copy)
            return null;
        foreach (var t in copy.GetProperty("tables").EnumerateArray())
            if (t.GetProperty("table").GetString() == name)
                return t;
        return null;
    }

    static async Task<(int Code, string Output)> WaitAsync(Scenario s, bool interactive, string sync)
    {
        var output = new StringWriter();
        var context = new CliContext(output, new StringWriter(), name => name == "IBEX_CONTROL" ? s.ControlDsn : Environment.GetEnvironmentVariable(name)) { Interactive = interactive };
        var code = await IbexCli.RunAsync(["wait", sync, "--timeout", "2"], context, TestContext.Current.CancellationToken);
        return (code, output.ToString());
    }
}
