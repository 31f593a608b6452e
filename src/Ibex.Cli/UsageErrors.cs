using System.CommandLine;
using System.CommandLine.Parsing;

namespace Ibex.Cli;

/// <summary>Command-line mistakes as one line: what is wrong, and which help to read (never the whole usage).</summary>
public static class UsageErrors
{
    /// <summary>The errors of a parse, joined into one line, ending with the help command of the command parsed.</summary>
    public static string Line(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var errors = parse.Errors.Select(e => IbexCli.OneLine(e.Message).TrimEnd('.')).Distinct(StringComparer.Ordinal);
        return $"{string.Join("; ", errors)} (see '{CommandPath(parse.CommandResult)} --help')";
    }

    static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? r = command; r is not null; r = r.Parent)
            if (r is CommandResult c)
                names.Insert(0, c.Command.Name);
        return string.Join(' ', names);
    }
}
