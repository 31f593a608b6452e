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
}
