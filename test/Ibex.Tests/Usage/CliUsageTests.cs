using Ibex.Cli;
using Shouldly;

namespace Ibex.Tests.Usage;

/// <summary>What a person sees when asking for help or mistyping a command line: no server is involved.</summary>
public class CliUsageTests
{
    static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await IbexCli.RunAsync(args, new CliContext(output, error, _ => null), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("sync", "add", "--help")]
    [InlineData("node", "list", "-h")]
    public async Task Help_names_the_command_people_type(params string[] args)
    {
        var (code, output, _) = await RunAsync(args);
        code.ShouldBe(0);
        var usage = "Usage:\n  ibex" + (args.Length > 1 ? " " + string.Join(' ', args[..^1]) : "");
        output.ReplaceLineEndings("\n").ShouldContain(usage + " ", Case.Sensitive);
    }

    [Fact]
    public async Task A_value_outside_an_options_choices_is_one_line_naming_option_value_and_choices()
    {
        var (code, output, error) = await RunAsync("sync", "add", "x", "--tables", "public.t", "--source", "a", "--target", "b", "--copy", "sideways");
        code.ShouldNotBe(0);
        output.ShouldBeEmpty();
        var lines = error.TrimEnd().Split('\n');
        lines.Length.ShouldBe(1, error);
        lines[0].ShouldStartWith("ibex: ");
        lines[0].ShouldContain("--copy", Case.Sensitive);
        lines[0].ShouldContain("'sideways'", Case.Sensitive);
        lines[0].ShouldContain("auto, always, never", Case.Sensitive);
    }

    [Fact]
    public async Task Other_command_line_mistakes_are_one_line_too_without_the_usage()
    {
        foreach (var args in new[] { new[] { "sync", "add", "x", "--bogus" }, ["node", "list", "extra"], [] })
        {
            var (code, output, error) = await RunAsync(args);
            code.ShouldNotBe(0);
            output.ShouldBeEmpty();
            error.TrimEnd().Split('\n').Length.ShouldBe(1, error);
            error.ShouldStartWith("ibex: ");
        }
    }
}
