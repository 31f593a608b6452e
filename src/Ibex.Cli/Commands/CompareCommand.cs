using System.CommandLine;
using Ibex.Catalog;
using Ibex.Compare;
using Ibex.Control;

namespace Ibex.Cli.Commands;

/// <summary>
/// <c>ibex compare SYNC</c> / <c>ibex compare --nodes A,B --tables …</c>: proves two nodes hold the same rows, or names
/// the rows that differ, without moving the tables. Exit 0 identical, 1 different, 2 usage error.
/// </summary>
public static class CompareCommand
{
    public static Command Build(CliContext context)
    {
        var sync = new Argument<string?>("sync") { Description = "Compare this sync's tables: its first source against every other node", Arity = ArgumentArity.ZeroOrOne };
        var nodes = new Option<string[]>("--nodes") { Description = "Without a sync: nodes to compare, the first against each other (comma-separated or repeated)", AllowMultipleArgumentsPerToken = true };
        var tables = new Option<string[]>("--tables") { Description = "Only tables matching these patterns (required with --nodes)", AllowMultipleArgumentsPerToken = true };
        var json = CommonOptions.Json();
        var repair = new Option<bool>("--repair-sql") { Description = "Print SQL that would make each target match (never run by ibex); the report becomes SQL comments" };
        var wait = new Option<double>("--wait-timeout") { Description = "Seconds to wait for a streaming sync to catch up before differing rows are looked at again", DefaultValueFactory = _ => 60 };
        var cmd = new Command("compare", "Compare the rows of tables between nodes without copying them; list differing rows by key")
        {
            sync, nodes, tables, json, repair, wait,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var nodeList = (parse.GetValue(nodes) ?? []).SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            var syncName = parse.GetValue(sync);
            var waitSeconds = parse.GetValue(wait);
            if (syncName is null && nodeList.Count == 0)
                throw new IbexException("say what to compare: 'ibex compare SYNC' or 'ibex compare --nodes A,B --tables PATTERN'") { ExitCode = CompareRunner.UsageExitCode };
            if (waitSeconds < 0 || double.IsNaN(waitSeconds))
                throw new IbexException("--wait-timeout must be zero or more seconds") { ExitCode = CompareRunner.UsageExitCode };
            var repairSql = parse.GetValue(repair);
            var verbose = parse.GetValue(CommonOptions.Verbose);
            // Progress only for a person at a terminal: --json and output to a file or pipe stay plain.
            using var progress = context.Interactive && !parse.GetValue(json) ? new CompareProgressLine(context.Output) : null;
            var options = new CompareOptions
            {
                Sync = syncName,
                Nodes = nodeList,
                Tables = TablePattern.ParseList(parse.GetValue(tables) ?? []),
                AllValues = repairSql,
                WaitTimeout = TimeSpan.FromSeconds(waitSeconds),
                Progress = verbose ? line => context.Error.WriteLine("ibex: " + line) : null,
                OnProgress = progress is null ? null : progress.Report,
            };
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var result = await new CompareRunner(control, options).RunAsync(ct).ConfigureAwait(false);
            progress?.Dispose();
            if (parse.GetValue(json))
                Json.Write(context.Output, ToJson(result, repairSql));
            else if (repairSql)
            {
                CompareReport.Write(context.Output, result, "-- ");
                await context.Output.WriteAsync(RepairScript.Build(result)).ConfigureAwait(false);
            }
            else
                CompareReport.Write(context.Output, result);
            return result.Identical ? 0 : 1;
        });
        return cmd;
    }

    static object ToJson(CompareResult r, bool repairSql) => new
    {
        r.Sync,
        r.Reference,
        r.Others,
        r.Identical,
        r.RowsCompared,
        MissingOnTarget = r.Count(DifferenceKind.MissingOnTarget),
        ExtraOnTarget = r.Count(DifferenceKind.ExtraOnTarget),
        Different = r.Count(DifferenceKind.Different),
        r.InFlight,
        ElapsedSeconds = Math.Round(r.Elapsed.TotalSeconds, 3),
        r.BytesRead,
        r.Queries,
        r.Notes,
        Tables = r.Tables.Select(t => new
        {
            Schema = t.Table.Schema,
            Table = t.Table.Name,
            t.Source,
            t.Target,
            t.Identical,
            t.Error,
            t.KeyColumns,
            t.SourceRows,
            t.TargetRows,
            MissingOnTarget = t.Count(DifferenceKind.MissingOnTarget),
            ExtraOnTarget = t.Count(DifferenceKind.ExtraOnTarget),
            Different = t.Count(DifferenceKind.Different),
            t.Notes,
            Differences = t.Differences.Select(d => Row(t, d)),
            InFlight = t.InFlight.Select(d => Row(t, d)),
        }),
        RepairSql = repairSql ? RepairScript.Build(r) : null,
    };

    static object Row(TableComparison t, RowDifference d) => new
    {
        Kind = d.Kind switch
        {
            DifferenceKind.MissingOnTarget => "missing_on_target",
            DifferenceKind.ExtraOnTarget => "extra_on_target",
            _ => "different",
        },
        Key = t.KeyColumns.Count > 0 ? t.KeyColumns.Zip(d.Key.Values).ToDictionary(p => p.First, p => p.Second) : null,
        RowMd5 = t.KeyColumns.Count == 0 ? d.Key.Values[0] : null,
        d.Count,
        Description = RowText.Describe(t, d),
        d.ChangedColumns,
    };
}
