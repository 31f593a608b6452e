using System.CommandLine;
using Ibex.Control;
using Ibex.Monitoring.Checks;
using Npgsql;

namespace Ibex.Cli.Commands;

/// <summary>
/// <c>ibex check</c>: a Nagios/Icinga plugin. Prints exactly one line, <c>IBEX_SYNC OK|WARNING|CRITICAL|UNKNOWN: … | perfdata</c>,
/// and exits 0, 1, 2 or 3. Every failure of its own (bad arguments, control database unreachable) is UNKNOWN.
/// </summary>
public static class CheckCommand
{
    const string Name = "check";

    public static Command Build(CliContext context)
    {
        var sync = new Option<string?>("--sync") { Description = "Check only this sync (default: all)" };
        var warnLag = new Option<string?>("--warning-lag") { Description = "WARNING when a link lags more than this (30s, 5m, 1h, or seconds)", DefaultValueFactory = _ => "30s" };
        var critLag = new Option<string?>("--critical-lag") { Description = "CRITICAL when a link lags more than this", DefaultValueFactory = _ => "5m" };
        var warnRetained = new Option<string?>("--warning-retained") { Description = "WARNING when a slot retains more WAL than this (512MB, 1GB, 10kB, or bytes)", DefaultValueFactory = _ => "1GB" };
        var critRetained = new Option<string?>("--critical-retained") { Description = "CRITICAL when a slot retains more WAL than this", DefaultValueFactory = _ => "10GB" };
        var warnConflicts = new Option<string?>("--warning-conflicts") { Description = "WARNING when more conflicts than this were logged in the last hour (default: no limit)" };
        var critConflicts = new Option<string?>("--critical-conflicts") { Description = "CRITICAL when more conflicts than this were logged in the last hour (default: no limit)" };
        var cmd = new Command(Name, "Nagios/Icinga plugin: one status line (OK, WARNING, CRITICAL, UNKNOWN) with performance data; exit 0/1/2/3. Paused syncs are OK with a note; their retained WAL is still checked")
        {
            sync, warnLag, critLag, warnRetained, critRetained, warnConflicts, critConflicts,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            CheckResult result;
            try
            {
                var thresholds = new CheckThresholds
                {
                    LagSeconds = Pair(parse, warnLag, critLag, Units.Seconds, "a duration (30s, 5m, 1h or seconds)"),
                    RetainedBytes = Pair(parse, warnRetained, critRetained, Units.Bytes, "a size (10kB, 512MB, 1GB or bytes)"),
                    Conflicts = Pair(parse, warnConflicts, critConflicts, Count, "a whole number"),
                };
                await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
                result = await new HealthCheck(control, thresholds).RunAsync(parse.GetValue(sync), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is IbexException or NpgsqlException or TimeoutException or IOException)
            {
                result = CheckResult.Unknown(e is IbexException ? e.Message : Errors.Describe(e));
            }
            await context.Output.WriteLineAsync(result.Line).ConfigureAwait(false);
            return result.ExitCode;
        });
        return cmd;
    }

    /// <summary>True when a command line's errors belong to <c>ibex check</c>, which must answer them as a plugin.</summary>
    public static bool Owns(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.CommandResult.Command.Name == Name && parse.CommandResult.Parent is not null;
    }

    /// <summary>Prints a command-line error as an UNKNOWN plugin line; returns exit code 3.</summary>
    public static async Task<int> ReportUsageErrorAsync(ParseResult parse, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(context);
        var result = CheckResult.Unknown("bad arguments: " + string.Join("; ", parse.Errors.Select(e => e.Message)));
        await context.Output.WriteLineAsync(result.Line).ConfigureAwait(false);
        return result.ExitCode;
    }

    /// <summary>Prints a failure that happened before the check could run (e.g. a bad config file) as an UNKNOWN line; returns 3.</summary>
    public static async Task<int> ReportUnknownAsync(string message, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = CheckResult.Unknown(message);
        await context.Output.WriteLineAsync(result.Line).ConfigureAwait(false);
        return result.ExitCode;
    }

    static double? Count(string text) => long.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    static Threshold Pair(ParseResult parse, Option<string?> warning, Option<string?> critical, Func<string, double?> read, string what)
        => Pair(parse.GetValue(warning), parse.GetValue(critical), warning.Name, critical.Name, read, what);

    static Threshold Pair(string? warning, string? critical, string warningName, string criticalName, Func<string, double?> read, string what)
    {
        double? w = warning is null ? null : read(warning) ?? throw new IbexException($"{warningName} '{warning}' is not {what}");
        double? c = critical is null ? null : read(critical) ?? throw new IbexException($"{criticalName} '{critical}' is not {what}");
        if (w is { } wv && c is { } cv && wv > cv)
            throw new IbexException($"{warningName} ({warning}) is above {criticalName} ({critical}); the warning level must not exceed the critical one");
        return new Threshold(w, c);
    }
}
