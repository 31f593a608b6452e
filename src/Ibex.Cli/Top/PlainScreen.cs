namespace Ibex.Cli.Top;

/// <summary>Not a terminal (a pipe, a file, a terminal without ANSI): one plain snapshot per refresh, no escape codes.</summary>
public sealed class PlainScreen(TextWriter output) : ITopScreen
{
    public void Show(DateTime now, IReadOnlyList<TopRow> rows, string? problem)
    {
        ArgumentNullException.ThrowIfNull(rows);
        output.WriteLine(TopScreenText.Title(now, rows));
        if (rows.Count == 0)
            output.WriteLine("no syncs; create one with 'ibex sync add'");
        else
            TableFormatter.Write(output, TopView.Headers, rows.Select(TopView.Cells));
        if (problem is not null)
            output.WriteLine(problem);
        output.WriteLine();
        output.Flush();
    }

    public void Dispose()
    {
    }
}
