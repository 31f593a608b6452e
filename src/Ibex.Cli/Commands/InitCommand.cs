using System.CommandLine;
using Ibex.Control;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex init</c>: creates or upgrades the ibex schema in the control database.</summary>
public static class InitCommand
{
    public static Command Build(CliContext context)
    {
        var cmd = new Command("init", "Create or upgrade the ibex schema in the control database");
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            var applied = await control.MigrateAsync(ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync(applied.Count == 0
                ? $"ibex schema in {control.Description} is up to date (version {Migrations.Latest})"
                : $"ibex schema in {control.Description} is at version {Migrations.Latest} (applied {string.Join(", ", applied)})").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }
}
