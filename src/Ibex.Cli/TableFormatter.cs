namespace Ibex.Cli;

/// <summary>Prints rows as an aligned text table for people (the --json forms are for machines).</summary>
public static class TableFormatter
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(headers);
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => i < r.Count ? r[i].Length : 0))).ToArray();
        output.WriteLine(Line(headers, widths).TrimEnd());
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in all)
            output.WriteLine(Line(r, widths).TrimEnd());
    }

    static string Line(IReadOnlyList<string> cells, int[] widths)
        => string.Join("  ", widths.Select((w, i) => (i < cells.Count ? cells[i] : "").PadRight(w)));
}
