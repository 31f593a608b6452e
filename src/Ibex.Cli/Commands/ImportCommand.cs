using System.CommandLine;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Import;

namespace Ibex.Cli.Commands;

/// <summary>
/// <c>ibex import bucardo --from CONN [--apply] [--json]</c>: prints the Ibex nodes and syncs equivalent to a Bucardo 5
/// configuration, or creates them. <c>--apply</c> checks the whole plan first, then runs the very <c>node add</c> and
/// <c>sync add</c> commands it prints; if one of them still fails, what the import had created is removed again.
/// </summary>
public static class ImportCommand
{
    public static Command Build(CliContext context)
    {
        var import = new Command("import", "Import the configuration of another replication system");
        import.Subcommands.Add(Bucardo(context));
        return import;
    }

    static Command Bucardo(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "Bucardo's control database (libpq URI or key=value), usually the database named bucardo", Required = true };
        var apply = new Option<bool>("--apply") { Description = "Create the nodes and syncs (all or nothing) instead of printing the commands" };
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON" };
        var cmd = new Command("bucardo", "Print (or with --apply create) the Ibex nodes and syncs equivalent to a Bucardo 5 configuration, and what has no equivalent") { from, apply, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = ConnectionString.Parse(parse.GetValue(from)!, "--from");
            BucardoCatalog catalog;
            await using (var conn = await NodeConnections.OpenAsync(settings, "--from (Bucardo control database)", "import", ct).ConfigureAwait(false))
                catalog = await BucardoReader.ReadAsync(conn, ct).ConfigureAwait(false);
            var plan = BucardoMapper.Map(catalog, ConnectionString.Describe(settings));
            var asJson = parse.GetValue(json);
            if (!parse.GetValue(apply))
            {
                if (asJson)
                    Json.Write(context.Output, Describe(plan, applied: false));
                else
                    foreach (var line in plan.Script())
                        await context.Output.WriteLineAsync(line).ConfigureAwait(false);
                return 0;
            }

            var controlDsn = CommonOptions.RequireControl(parse, context);
            ImportValidator validator;
            await using (var control = ControlDatabase.Open(controlDsn))
            {
                await control.EnsureReadyAsync(ct).ConfigureAwait(false);
                validator = new ImportValidator(control);
                await validator.ValidateAsync(plan, ct).ConfigureAwait(false);
            }
            var log = asJson ? context.Error : context.Output;
            var createdNodes = new List<string>();
            var createdSyncs = new List<string>();
            IReadOnlyList<string>? current = null;
            try
            {
                foreach (var node in plan.Nodes.Where(n => n.Problem is null))
                {
                    if (validator.Reused.Contains(node.Name))
                    {
                        await log.WriteLineAsync($"node '{node.Name}' already exists with the same database; kept").ConfigureAwait(false);
                        continue;
                    }
                    current = node.Command(redact: true);
                    await RunAsync(node.Command(redact: false), controlDsn, context, log, ct).ConfigureAwait(false);
                    createdNodes.Add(node.Name);
                }
                foreach (var sync in plan.Syncs.Where(s => s.Problem is null))
                {
                    current = sync.AddCommand();
                    await RunAsync(current, controlDsn, context, log, ct).ConfigureAwait(false);
                    createdSyncs.Add(sync.Name);
                    foreach (var followUp in sync.FollowUps())
                    {
                        current = followUp;
                        await RunAsync(followUp, controlDsn, context, log, ct).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is IbexException or Npgsql.NpgsqlException)
            {
                foreach (var s in Enumerable.Reverse(createdSyncs))
                    await UndoAsync(["sync", "remove", s, "--force"], controlDsn, context).ConfigureAwait(false);
                foreach (var n in Enumerable.Reverse(createdNodes))
                    await UndoAsync(["node", "remove", n], controlDsn, context).ConfigureAwait(false);
                var what = current is null ? "" : $" at [{ImportPlan.Shell(current)}]";
                throw new IbexException($"import failed{what}: {IbexCli.OneLine(e.Message)}; the nodes and syncs it had created were removed again", e);
            }
            if (asJson)
                Json.Write(context.Output, Describe(plan, applied: true));
            else
            {
                await log.WriteLineAsync($"imported {plan.Nodes.Count(n => n.Problem is null)} node(s) and {plan.Syncs.Count(s => s.Problem is null)} sync(s) from Bucardo; start replicating with 'ibex run' (stop Bucardo first: 'bucardo stop')").ConfigureAwait(false);
                if (plan.Notes.Count > 0)
                    await log.WriteLineAsync("not carried over (no Ibex equivalent, or a different behaviour):").ConfigureAwait(false);
                foreach (var note in plan.Notes)
                    await log.WriteLineAsync("  " + note).ConfigureAwait(false);
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Runs one ibex command line in-process, exactly as the shell would (same parsing, checks and errors).</summary>
    static async Task RunAsync(IReadOnlyList<string> args, string controlDsn, CliContext context, TextWriter log, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var inner = new CliContext(output, error, context.Environment, context.LoggerFactory);
        var code = await IbexCli.RunAsync([.. args, "--control", controlDsn], inner, cancellationToken).ConfigureAwait(false);
        await log.WriteAsync(output.ToString()).ConfigureAwait(false);
        var message = IbexCli.OneLine(error.ToString());
        if (code != 0)
            throw new IbexException(message.StartsWith("ibex: ", StringComparison.Ordinal) ? message["ibex: ".Length..] : message.Length > 0 ? message : $"exit code {code}");
        await context.Error.WriteAsync(error.ToString()).ConfigureAwait(false);
    }

    static async Task UndoAsync(IReadOnlyList<string> args, string controlDsn, CliContext context)
    {
        try
        {
            await RunAsync(args, controlDsn, context, TextWriter.Null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IbexException or Npgsql.NpgsqlException)
        {
            await context.Error.WriteLineAsync($"ibex: warning: could not undo with '{ImportPlan.Shell(args)}': {IbexCli.OneLine(e.Message)}").ConfigureAwait(false);
        }
    }

    static object Describe(ImportPlan plan, bool applied) => new
    {
        plan.From,
        plan.BucardoVersion,
        Applied = applied,
        Nodes = plan.Nodes.Select(n => new { n.Name, Dsn = n.DisplayDsn, n.Problem }),
        Syncs = plan.Syncs.Select(s => new
        {
            s.Name, s.Sources, s.Targets, s.Fullcopy, s.Tables, s.Copy, Conflict = s.Conflict ?? "latest", s.Paused, s.Problem,
            Commands = new[] { s.AddCommand() }.Concat(s.FollowUps()).Select(ImportPlan.Shell),
        }),
        Commands = plan.Commands(redact: true).Select(ImportPlan.Shell),
        NotImported = plan.Notes.Select(n => new { n.Object, n.Text }),
    };
}
