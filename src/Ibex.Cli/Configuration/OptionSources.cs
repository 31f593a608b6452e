using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace Ibex.Cli.Configuration;

/// <summary>
/// Gives every option of every command two more sources besides the command line: an environment variable
/// (<c>--queue-memory-mb</c> → <c>IBEX_QUEUE_MEMORY_MB</c>) and a key in the config file named by <c>--config</c> or
/// <c>IBEX_CONFIG</c> (<c>queue-memory-mb = 32</c>). Precedence: command line, environment, config file, default.
/// Values the command line left out are appended to it as <c>--option=value</c> and the line is parsed again, so
/// every command reads its options exactly as before.
/// </summary>
public static class OptionSources
{
    /// <summary>The environment variable naming the config file.</summary>
    public const string ConfigVariable = "IBEX_CONFIG";

    /// <summary>The environment variable for an option: <c>--spill-dir</c> → <c>IBEX_SPILL_DIR</c>.</summary>
    public static string EnvironmentVariable(Option option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return "IBEX_" + Key(option).ToUpperInvariant().Replace('-', '_');
    }

    /// <summary>The config-file key for an option: its name without the leading dashes.</summary>
    public static string Key(Option option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return option.Name.TrimStart('-');
    }

    /// <summary>Options that take values from the environment and the config file (all but help, version and --config).</summary>
    public static bool Configurable(Option option) => option is not HelpOption and not VersionOption && option != CommonOptions.Config;

    /// <summary>Every config-file key any command understands.</summary>
    public static IReadOnlySet<string> AllKeys(Command root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        Collect(root);
        return keys;

        void Collect(Command c)
        {
            foreach (var o in c.Options.Where(Configurable))
                keys.Add(Key(o));
            foreach (var sub in c.Subcommands)
                Collect(sub);
        }
    }

    /// <summary>
    /// Fills the options of the parsed command that the command line did not give from the environment and the config
    /// file; returns the parse of the completed command line. Errors in those values name where they came from.
    /// </summary>
    public static ParseResult Complete(Command root, IReadOnlyList<string> args, ParseResult parse, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        if (AsksForHelpOrVersion(parse))
            return parse;
        var path = parse.GetValue(CommonOptions.Config) ?? environment(ConfigVariable);
        var file = string.IsNullOrWhiteSpace(path) ? null : ConfigFile.Load(path, AllKeys(root));
        var extra = new List<string>();
        var origin = new Dictionary<Option, string>();
        foreach (var option in OptionsOf(parse.CommandResult))
        {
            if (parse.GetResult(option) is { Implicit: false })
                continue;
            var variable = EnvironmentVariable(option);
            string? value = environment(variable);
            var from = variable;
            if (value is null && file is not null && file.Values.TryGetValue(Key(option), out var entry))
            {
                value = entry.Value;
                from = $"config file {file.Path} line {entry.Line} ({Key(option)})";
            }
            if (value is null)
                continue;
            origin[option] = from;
            foreach (var v in Values(option, value, from))
                extra.Add($"{option.Name}={v}");
        }
        if (extra.Count == 0)
            return parse;
        var completed = root.Parse([.. args, .. extra]);
        var errors = completed.Errors
            .Select(e => (Error: e, Option: OptionOf(e.SymbolResult)))
            .Where(x => x.Option is not null && origin.ContainsKey(x.Option))
            .Select(x => $"{origin[x.Option!]}: {x.Error.Message}")
            .ToList();
        if (errors.Count > 0)
            throw new IbexException(string.Join("; ", errors));
        return completed;
    }

    /// <summary>The options a command accepts: its own and the recursive ones of the commands above it.</summary>
    public static IEnumerable<Option> OptionsOf(CommandResult command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var seen = new HashSet<Option>();
        SymbolResult? current = command;
        var own = true;
        while (current is not null)
        {
            if (current is CommandResult c)
            {
                foreach (var o in c.Command.Options.Where(o => (own || o.Recursive) && Configurable(o)))
                    if (seen.Add(o))
                        yield return o;
                own = false;
            }
            current = current.Parent;
        }
    }

    static Option? OptionOf(SymbolResult? result)
    {
        for (var r = result; r is not null; r = r.Parent)
            if (r is OptionResult o)
                return o.Option;
        return null;
    }

    static bool AsksForHelpOrVersion(ParseResult parse)
        => parse.Tokens.Any(t => t.Type == TokenType.Option && t.Value is "-h" or "--help" or "-?" or "/?" or "/h" or "--version");

    /// <summary>A flag takes true/false (also yes/no, on/off, 1/0); a repeatable option takes a comma-separated list.</summary>
    static IEnumerable<string> Values(Option option, string value, string from)
    {
        if (option.ValueType == typeof(bool))
        {
            var flag = value.Trim().ToLowerInvariant() switch
            {
                "true" or "yes" or "on" or "1" => "true",
                "false" or "no" or "off" or "0" or "" => "false",
                _ => throw new IbexException($"{from}: '{value}' is not true or false"),
            };
            return [flag];
        }
        return option.Arity.MaximumNumberOfValues > 1 ? SplitList(value) : [value];
    }

    /// <summary>Splits on commas outside single or double quotes; each part is trimmed, empty parts dropped.</summary>
    internal static IEnumerable<string> SplitList(string value)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        char quote = '\0';
        foreach (var ch in value)
        {
            if (quote != '\0')
            {
                if (ch == quote)
                    quote = '\0';
            }
            else if (ch is '"' or '\'')
            {
                quote = ch;
            }
            else if (ch == ',')
            {
                parts.Add(current.ToString());
                current.Clear();
                continue;
            }
            current.Append(ch);
        }
        parts.Add(current.ToString());
        return parts.Select(p => p.Trim()).Where(p => p.Length > 0);
    }
}
