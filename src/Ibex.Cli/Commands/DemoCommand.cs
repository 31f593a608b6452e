using System.CommandLine;
using Ibex.Cli.Demo;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex demo</c>: see <see cref="DemoRunner"/>.</summary>
public static class DemoCommand
{
    public static Command Build(CliContext context)
    {
        var seconds = new Option<int>("--seconds") { Description = "How long the write load runs", DefaultValueFactory = _ => 8 };
        var keep = new Option<bool>("--keep") { Description = "Keep the servers running until Ctrl+C before cleaning up" };
        var cmd = new Command("demo", "Run Ibex on throwaway local PostgreSQL servers: sync, write load, live status, proof, clean-up") { seconds, keep };
        cmd.SetAction(async (parse, ct) => await new DemoRunner(context, TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(seconds))), parse.GetValue(keep)).RunAsync(ct).ConfigureAwait(false));
        return cmd;
    }
}
