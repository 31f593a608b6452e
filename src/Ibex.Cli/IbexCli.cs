using System.CommandLine;
using System.CommandLine.Help;
using Ibex.Cli.Commands;
using Ibex.Cli.Configuration;
using Npgsql;

namespace Ibex.Cli;

/// <summary>Builds the command tree and runs one command line. Errors become one line on stderr and an exit code.</summary>
public static class IbexCli
{
    /// <summary>Exit code for an unexpected failure (a bug): EX_SOFTWARE.</summary>
    public const int InternalErrorExitCode = 70;

    /// <summary>The name people type; help and usage show it (a RootCommand would show the assembly name, Ibex.Cli).</summary>
    public const string CommandName = "ibex";

    /// <summary>The root of the command tree: a plain command named <see cref="CommandName"/> with --help and --version.</summary>
    public static Command Build(CliContext context)
    {
        var root = new Command(CommandName, "Ibex: multi-master and primary-to-replica replication for PostgreSQL, built on logical decoding.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Options.Add(CommonOptions.Control);
        root.Options.Add(CommonOptions.Verbose);
        root.Options.Add(CommonOptions.Config);
        foreach (var command in new[]
                 {
                     InitCommand.Build(context),
                     NodeCommands.Build(context),
                     SyncCommands.Build(context),
                     RunCommand.Build(context),
                     WaitCommand.Build(context),
                     StatusCommand.Build(context),
                     TopCommand.Build(context),
                     ConflictsCommand.Build(context),
                     SequencesCommand.Build(context),
                     SwitchoverCommand.Build(context),
                     CompareCommand.Build(context),
                     CheckCommand.Build(context),
                     SchemaCommands.Build(context),
                     ImportCommand.Build(context),
                     ExportCommand.Build(context),
                     ApplyCommand.Build(context),
                     DemoCommand.Build(context),
                 })
            root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Runs a command line; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = Build(context);
        var parse = root.Parse(args);
        try
        {
            parse = OptionSources.Complete(root, args, parse, context.Environment);
        }
        catch (IbexException e) when (CheckCommand.Owns(parse))
        {
            return await CheckCommand.ReportUnknownAsync(e.Message, context).ConfigureAwait(false);
        }
        catch (IbexException e)
        {
            await context.Error.WriteLineAsync("ibex: " + OneLine(e.Message)).ConfigureAwait(false);
            return e.ExitCode;
        }
        if (parse.Errors.Count > 0 && CheckCommand.Owns(parse))
            return await CheckCommand.ReportUsageErrorAsync(parse, context).ConfigureAwait(false);
        if (parse.Errors.Count > 0)
        {
            await context.Error.WriteLineAsync("ibex: " + UsageErrors.Line(parse)).ConfigureAwait(false);
            return 1;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = context.Output,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (IbexException e)
        {
            await context.Error.WriteLineAsync("ibex: " + OneLine(e.Message)).ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("ibex: interrupted").ConfigureAwait(false);
            return 130;
        }
        catch (NpgsqlException e)
        {
            await context.Error.WriteLineAsync("ibex: " + OneLine(Describe(e))).ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await context.Error.WriteLineAsync($"ibex: internal error ({e.GetType().Name}): {OneLine(e.Message)}").ConfigureAwait(false);
            if (context.Environment("IBEX_DEBUG") is { Length: > 0 })
                await context.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            return InternalErrorExitCode;
        }
    }

    static string Describe(NpgsqlException e) => e is PostgresException pg ? $"{pg.MessageText} (SQLSTATE {pg.SqlState})" : e.Message;

    internal static string OneLine(string s) => string.Join(' ', s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
