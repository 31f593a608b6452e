using System.CommandLine;
using Ibex.Control;
using Ibex.Declarative;
using Microsoft.Extensions.Logging;

namespace Ibex.Cli.Commands;

/// <summary>
/// <c>ibex apply FILE [--dry-run] [--yes] [--json]</c>: makes the control database match a configuration file. Prints
/// the plan; refuses removals unless <c>--yes</c>; applying the same file again changes nothing.
/// </summary>
public static class ApplyCommand
{
    public static Command Build(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "Configuration file (YAML or JSON, as 'ibex export' writes it)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan and change nothing" };
        var yes = new Option<bool>("--yes") { Description = "Allow a plan that removes nodes, syncs or tables, or makes a sync anew (drops its slots)" };
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON" };
        var cmd = new Command("apply", "Make the control database match a configuration file: prints what is added, changed and removed, then does it (all checked first)") { file, dryRun, yes, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            string text;
            try
            {
                text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IbexException($"cannot read {path}: {e.Message}");
            }
            var desired = new ConfigReader(path, context.Environment).Read(text);
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var applier = new ConfigApplier(control, context.LoggerFactory) { FixSql = SchemaFix.ForTablesAsync };
            var plan = await applier.PlanAsync(desired, ct).ConfigureAwait(false);
            var asJson = parse.GetValue(json);
            var destructive = plan.Destructive.Any();
            var willApply = !plan.IsEmpty && !parse.GetValue(dryRun) && (!destructive || parse.GetValue(yes));
            if (asJson)
                Json.Write(context.Output, Describe(plan, willApply));
            else if (plan.IsEmpty)
                await context.Output.WriteLineAsync($"nothing to change: {control.Description} already matches {path}").ConfigureAwait(false);
            else
            {
                await context.Output.WriteLineAsync($"plan for {control.Description} from {path} (+ add, ~ change, - remove, ! make anew):").ConfigureAwait(false);
                foreach (var step in plan.Steps)
                    await context.Output.WriteLineAsync("  " + step.Line).ConfigureAwait(false);
            }
            if (plan.IsEmpty)
                return 0;
            if (parse.GetValue(dryRun))
            {
                if (!asJson)
                    await context.Output.WriteLineAsync("dry run: nothing was changed").ConfigureAwait(false);
                return 0;
            }
            if (destructive && !parse.GetValue(yes))
                throw new IbexException($"apply would remove {plan.DestructiveSummary}; nothing was changed; pass --yes to apply a plan that removes things");
            var log = asJson ? context.Error : context.Output;
            await applier.ApplyAsync(desired, plan, step => log.WriteLineAsync("done: " + step.Line), ct).ConfigureAwait(false);
            foreach (var w in applier.Warnings)
                await context.Error.WriteLineAsync("ibex: warning: " + w).ConfigureAwait(false);
            if (!asJson)
                await context.Output.WriteLineAsync($"applied {plan.Steps.Count} change(s); a running daemon picks them up by itself").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    static object Describe(ApplyPlan plan, bool applied) => new
    {
        Applied = applied,
        Steps = plan.Steps.Select(s => new
        {
            Action = s.Kind.ToString(),
            s.Name,
            s.Text,
            s.Destructive,
            InitialCopy = s.NeedsCopy,
            DropsSlot = s.DropsSlot,
        }),
    };
}
