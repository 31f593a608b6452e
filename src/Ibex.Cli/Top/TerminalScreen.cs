using Spectre.Console;

namespace Ibex.Cli.Top;

/// <summary>
/// A terminal with ANSI support: the alternate screen (the shell's screen comes back on exit), the cursor hidden, and
/// each refresh drawn in one write from the top-left corner. Colours follow what the terminal supports (TERM,
/// COLORTERM, NO_COLOR), as Spectre.Console detects them.
/// </summary>
public sealed class TerminalScreen : ITopScreen
{
    const string Enter = "\u001b[?1049h\u001b[?25l";
    const string Leave = "\u001b[?25h\u001b[?1049l";
    const string Home = "\u001b[H\u001b[2J";

    readonly TextWriter _output;
    readonly IAnsiConsole _terminal;

    TerminalScreen(TextWriter output, IAnsiConsole terminal)
    {
        _output = output;
        _terminal = terminal;
        _output.Write(Enter);
        _output.Flush();
    }

    /// <summary>The screen, or null when the output does not understand ANSI escape codes.</summary>
    public static TerminalScreen? TryOpen(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        return terminal.Profile.Capabilities.Ansi ? new TerminalScreen(output, terminal) : null;
    }

    public void Show(DateTime now, IReadOnlyList<TopRow> rows, string? problem)
    {
        ArgumentNullException.ThrowIfNull(rows);
        // Drawn off-screen first, then written at once: no flicker, and the width follows a resized window.
        var frame = new StringWriter();
        var buffer = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(frame),
            Ansi = AnsiSupport.Yes,
            ColorSystem = (ColorSystemSupport)_terminal.Profile.Capabilities.ColorSystem,
            Interactive = InteractionSupport.No,
        });
        buffer.Profile.Width = _terminal.Profile.Width;
        buffer.Write(new Text(TopScreenText.Title(now, rows), new Style(decoration: Decoration.Bold)));
        buffer.WriteLine();
        if (rows.Count == 0)
            buffer.WriteLine("no syncs; create one with 'ibex sync add'");
        else
            buffer.Write(Table(rows));
        if (problem is not null)
            buffer.Write(new Text(problem + "\n", new Style(Color.Red)));
        _output.Write(Home + frame);
        _output.Flush();
    }

    static Table Table(IReadOnlyList<TopRow> rows)
    {
        var table = new Table().Border(TableBorder.Simple).Expand();
        foreach (var h in TopView.Headers)
            table.AddColumn(new TableColumn(new Text(h, new Style(decoration: Decoration.Bold))).NoWrap());
        string? lastSync = null;
        foreach (var r in rows)
        {
            var state = new Style(StateColour(r.State));
            table.AddRow(
                new Text(r.Sync == lastSync ? "" : r.Sync),
                new Text(r.Link),
                new Text(r.State, state),
                new Text(r.Lag, r.State is "streaming" or "idle" ? Style.Plain : state),
                new Text(r.RowsPerSecond),
                new Text(r.Copy),
                new Text(r.ConflictsPerMinute, r.ConflictsPerMinute is "-" or "0" ? Style.Plain : new Style(Color.Yellow)),
                new Text(r.LastError, new Style(Color.Red)) { Overflow = Overflow.Ellipsis });
            lastSync = r.Sync;
        }
        return table;
    }

    static Color StateColour(string state) => state switch
    {
        "streaming" or "idle" => Color.Green,
        "copying" or "connecting" or "starting" => Color.Yellow,
        "paused" or "not started" => Color.Grey,
        _ => Color.Red,
    };

    public void Dispose()
    {
        _output.Write(Leave);
        _output.Flush();
    }
}
