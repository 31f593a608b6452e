using System.Globalization;

namespace Ibex.Compare;

/// <summary>The text report of <c>ibex compare</c>: per table, rows compared and differing rows by kind, then a summary line.</summary>
public static class CompareReport
{
    /// <summary>Rows listed per table and kind; the rest are counted (the JSON form lists all).</summary>
    public const int ListedPerKind = 50;

    public static void Write(TextWriter output, CompareResult result, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        var what = result.Sync is null ? $"nodes {result.Reference}, {string.Join(", ", result.Others)}" : $"sync '{result.Sync}'";
        output.WriteLine($"{prefix}comparing {what}: {result.Reference} against {string.Join(", ", result.Others)}, {result.Tables.Select(t => t.Table).Distinct().Count()} table(s)");
        foreach (var t in result.Tables)
        {
            var head = $"{prefix}{t.Table.Display} {t.Source} -> {t.Target}: ";
            if (t.Error is not null)
            {
                output.WriteLine(head + "not compared: " + t.Error);
                continue;
            }
            var counts = t.Identical ? "identical" : string.Join(", ", Counts(t.Count(DifferenceKind.MissingOnTarget), t.Count(DifferenceKind.ExtraOnTarget), t.Count(DifferenceKind.Different)));
            var flight = t.InFlight.Count > 0 ? $" ({N(t.InFlight.Sum(d => d.Count))} in flight)" : "";
            output.WriteLine($"{head}{N(t.SourceRows)} rows compared ({N(t.TargetRows)} on {t.Target}); {counts}{flight}");
            foreach (var note in t.Notes)
                output.WriteLine($"{prefix}  note: {note}");
            foreach (var kind in new[] { DifferenceKind.MissingOnTarget, DifferenceKind.ExtraOnTarget, DifferenceKind.Different })
            {
                var rows = t.Differences.Where(d => d.Kind == kind).ToList();
                foreach (var d in rows.Take(ListedPerKind))
                {
                    var changed = d.ChangedColumns.Count > 0 ? $" (columns {string.Join(", ", d.ChangedColumns.Select(RowText.Name))})" : "";
                    output.WriteLine($"{prefix}  {Label(kind),-18} {RowText.Describe(t, d)}{changed}");
                }
                if (rows.Count > ListedPerKind)
                    output.WriteLine($"{prefix}  {Label(kind),-18} … and {N(rows.Count - ListedPerKind)} more (--json lists all)");
            }
            foreach (var d in t.InFlight.Take(ListedPerKind))
                output.WriteLine($"{prefix}  {"in flight",-18} {RowText.Describe(t, d)}");
        }
        foreach (var note in result.Notes)
            output.WriteLine($"{prefix}note: {note}");
        var total = result.Count(DifferenceKind.MissingOnTarget) + result.Count(DifferenceKind.ExtraOnTarget) + result.Count(DifferenceKind.Different);
        var errors = result.Tables.Count(t => t.Error is not null);
        var verdict = result.Identical ? "identical" : $"{N(total)} differing row(s) ({string.Join(", ", Counts(result.Count(DifferenceKind.MissingOnTarget), result.Count(DifferenceKind.ExtraOnTarget), result.Count(DifferenceKind.Different), always: true))})"
            + (errors > 0 ? $", {errors} table(s) not compared" : "");
        output.WriteLine($"{prefix}summary: {result.Tables.Count} table comparison(s), {N(result.RowsCompared)} rows compared: {verdict}; {N(result.InFlight)} in flight; "
                         + $"{result.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)}s, {Bytes(result.BytesRead)} read in {N(result.Queries)} queries");
    }

    public static string Label(DifferenceKind kind) => kind switch
    {
        DifferenceKind.MissingOnTarget => "missing on target",
        DifferenceKind.ExtraOnTarget => "extra on target",
        _ => "different",
    };

    static IEnumerable<string> Counts(long missing, long extra, long different, bool always = false)
    {
        if (always || missing > 0)
            yield return $"{N(missing)} missing on target";
        if (always || extra > 0)
            yield return $"{N(extra)} extra on target";
        if (always || different > 0)
            yield return $"{N(different)} different";
    }

    static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    static string Bytes(long b) => b switch
    {
        < 10 * 1024 => $"{N(b)} B",
        < 10 * 1024 * 1024 => $"{(b / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} kB",
        _ => $"{(b / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)} MB",
    };
}
