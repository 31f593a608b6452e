using System.CommandLine;
using Ibex.Connections;

namespace Ibex.Cli;

/// <summary>Options shared by many commands.</summary>
public static class CommonOptions
{
    /// <summary>The control database (also IBEX_CONTROL). Recursive: valid before or after the sub-command.</summary>
    public static readonly Option<string?> Control = new("--control")
    {
        Description = "Control database connection (libpq URI or key=value); defaults to $IBEX_CONTROL",
        Recursive = true,
    };

    /// <summary>A file of <c>key = value</c> lines giving option values (also IBEX_CONFIG); see <see cref="Configuration.OptionSources"/>.</summary>
    public static readonly Option<string?> Config = new("--config")
    {
        Description = "Read option values from this file (key = value lines, e.g. queue-memory-mb = 32); defaults to $IBEX_CONFIG. Precedence: command line, IBEX_* environment variables, this file",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log more detail to stderr",
        Recursive = true,
    };

    /// <summary>Machine-readable output.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table" };

    /// <summary>The control connection string from --control or IBEX_CONTROL, or a one-line error saying how to give it.</summary>
    public static string RequireControl(ParseResult parse, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(context);
        var value = parse.GetValue(Control) ?? context.Environment("IBEX_CONTROL");
        if (string.IsNullOrWhiteSpace(value))
            throw new IbexException("no control database given; pass --control 'postgresql://user@host/db' or set IBEX_CONTROL");
        ConnectionString.Parse(value, "control database connection");
        return value;
    }
}
