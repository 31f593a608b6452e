using System.Text.Json;
using Ibex.Cli;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Operations;

public class CompareProgressTests(SharedClusters clusters)
{
    [Fact]
    public async Task Compare_shows_progress_per_table_on_a_terminal_only_and_erases_it_before_the_report()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync("""
            CREATE TABLE big (id bigint PRIMARY KEY, v text);
            INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, 5000) g;
            CREATE TABLE small (id int PRIMARY KEY);
            INSERT INTO small SELECT generate_series(1, 300);
            ANALYZE big; ANALYZE small;
            """);
        await s.AddNodesAsync();

        var terminal = await CompareAsync(s, interactive: true, "compare", "--nodes", "a,b", "--tables", "public.*");
        terminal.Code.ShouldBe(0, terminal.Output + terminal.Error);
        var erase = CompareProgressLine.Erase;
        terminal.Output.ShouldContain(erase + "comparing public.big (1/2) a -> b: 0 of ~5,300 rows compared");
        terminal.Output.ShouldContain(erase + "compared public.big (1/2) a -> b: 5,000 of ~5,300 rows compared, ETA ");
        terminal.Output.ShouldContain(erase + "compared public.small (2/2) a -> b: 5,300 rows compared");
        // The line is erased before the report, which is the same as without a terminal.
        var report = terminal.Output[(terminal.Output.LastIndexOf(erase, StringComparison.Ordinal) + erase.Length)..];
        var plain = await CompareAsync(s, interactive: false, "compare", "--nodes", "a,b", "--tables", "public.*");
        plain.Code.ShouldBe(0);
        plain.Output.ShouldNotContain("\u001b");
        plain.Output.ShouldNotContain("(1/2)");
        Normalize(report).ShouldBe(Normalize(plain.Output));

        // --json on a terminal: only the JSON document.
        var json = await CompareAsync(s, interactive: true, "compare", "--nodes", "a,b", "--tables", "public.*", "--json");
        json.Code.ShouldBe(0);
        json.Output.ShouldNotContain("\u001b");
        JsonDocument.Parse(json.Output).RootElement.GetProperty("rows_compared").GetInt64().ShouldBe(5300);
    }

    // The report names the time taken: that is the only thing allowed to differ between two runs.
    static string Normalize(string report) => System.Text.RegularExpressions.Regex.Replace(report, @"[0-9.]+ ?(ms|s)\b", "T");

    static async Task<(int Code, string Output, string Error)> CompareAsync(Scenario s, bool interactive, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, name => name == "IBEX_CONTROL" ? s.ControlDsn : Environment.GetEnvironmentVariable(name)) { Interactive = interactive };
        var code = await IbexCli.RunAsync(args, context, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
