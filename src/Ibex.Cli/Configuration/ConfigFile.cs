namespace Ibex.Cli.Configuration;

/// <summary>
/// An Ibex configuration file: <c>key = value</c> lines, where a key is the name of a command-line option without its
/// dashes (<c>queue-memory-mb = 32</c>); blank lines and lines starting with <c>#</c> are ignored; a value may be
/// wrapped in single or double quotes. A key no command knows is an error naming the key and the file.
/// </summary>
public sealed class ConfigFile
{
    ConfigFile(string path, IReadOnlyDictionary<string, (string Value, int Line)> values)
    {
        Path = path;
        Values = values;
    }

    public string Path { get; }

    /// <summary>Value and line number per key.</summary>
    public IReadOnlyDictionary<string, (string Value, int Line)> Values { get; }

    /// <summary>Reads a file; <paramref name="knownKeys"/> are the keys it may use.</summary>
    public static ConfigFile Load(string path, IReadOnlySet<string> knownKeys)
    {
        ArgumentNullException.ThrowIfNull(knownKeys);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IbexException($"cannot read config file {path}: {e.Message}");
        }
        return Parse(path, lines, knownKeys);
    }

    /// <summary>Parses the lines of a file named <paramref name="path"/> (for messages).</summary>
    public static ConfigFile Parse(string path, IReadOnlyList<string> lines, IReadOnlySet<string> knownKeys)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(knownKeys);
        var values = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new IbexException($"config file {path} line {i + 1}: expected 'key = value'");
            var key = line[..eq].Trim();
            if (!knownKeys.Contains(key))
                throw new IbexException($"config file {path} line {i + 1}: unknown key '{key}' (keys are option names without dashes, e.g. queue-memory-mb; see docs/configuration.md)");
            if (values.ContainsKey(key))
                throw new IbexException($"config file {path} line {i + 1}: key '{key}' is set twice");
            values[key] = (Unquote(line[(eq + 1)..].Trim()), i + 1);
        }
        return new ConfigFile(path, values);
    }

    static string Unquote(string value)
        => value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
