using System.Globalization;
using System.Text.RegularExpressions;
using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ibex.Declarative;

/// <summary>
/// Reads a configuration file (YAML, or JSON, which is YAML too) into a <see cref="ReplicationConfig"/>. Every mistake
/// — invalid YAML, an unknown key, a duplicate name, a node no sync may use, a bad value, an unset password variable —
/// is one line naming the file and line and the fix. Password references are resolved from <c>environment</c>.
/// </summary>
public sealed partial class ConfigReader(string file, Func<string, string?> environment)
{
    static readonly string[] RootKeys = ["nodes", "syncs"];
    static readonly string[] NodeKeys = ["dsn", .. DsnSecrets.Keys];
    static readonly string[] SyncKeys = ["sources", "targets", "fullcopy", "copy", "conflict", "paused", "mode", "every_seconds", "forward", "auto_add_columns", "sequences", "delete_method", "max_retained_bytes", "on_retention", "ddl", "tables"];
    static readonly string[] TableKeys = ["where", "columns", "map", "conflict"];

    [GeneratedRegex("^\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}$")]
    private static partial Regex Reference();

    public ReplicationConfig Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e) when (e.Message.StartsWith("Duplicate key", StringComparison.Ordinal))
        {
            throw Error(e.Start.Line, $"'{e.Message["Duplicate key".Length..].Trim()}' is defined twice in the same mapping; names and keys must be unique");
        }
        catch (YamlException e)
        {
            throw Error(e.Start.Line, $"not valid YAML: {IbexOneLine(e.InnerException?.Message ?? e.Message)}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser gives up this way on some malformed input (an unclosed [ in a block mapping).
            throw Error(LastGoodLine(text), "not valid YAML: the syntax breaks here (an unclosed [, { or quote?)");
        }
        if (stream.Documents.Count != 1)
            throw Error(1, stream.Documents.Count == 0 ? "the file is empty; 'ibex export' shows the format" : "holds several YAML documents; keep one");
        var root = Map(stream.Documents[0].RootNode, "the file", RootKeys);
        var nodes = root.TryGetValue("nodes", out var n) ? Nodes(n) : [];
        var syncs = root.TryGetValue("syncs", out var s) ? Syncs(s, nodes.Select(x => x.Name).ToHashSet(StringComparer.Ordinal)) : [];
        return new ReplicationConfig(nodes, syncs);
    }

    List<NodeConfig> Nodes(YamlNode node)
    {
        var result = new List<NodeConfig>();
        foreach (var (key, value) in Entries(node, "nodes"))
        {
            var name = Name(key, "node");
            var what = $"node '{name}'";
            var fields = Map(value, what, NodeKeys);
            if (!fields.TryGetValue("dsn", out var dsnNode))
                throw Error(value, $"{what} has no dsn; write dsn: 'host=... dbname=... user=...'");
            var dsn = String(dsnNode, $"{what} dsn");
            Parse(dsnNode, () =>
            {
                DsnSecrets.RequireNone(dsn, $"{what} dsn");
                return true;
            });
            var secrets = new List<(string, string)>();
            foreach (var secret in DsnSecrets.Keys)
                if (fields.TryGetValue(secret, out var refNode))
                    secrets.Add((secret, Secret(refNode, what, secret)));
            try
            {
                var full = DsnSecrets.Join(dsn, secrets, $"{what} dsn");
                ConnectionString.Parse(full, $"{what} dsn");
                result.Add(new NodeConfig(name, full));
            }
            catch (IbexException e)
            {
                throw Error(dsnNode, e.Message);
            }
        }
        return result;
    }

    string Secret(YamlNode node, string what, string key)
    {
        var text = String(node, $"{what} {key}");
        var m = Reference().Match(text);
        if (!m.Success)
            throw Error(node, $"{what}: {key} must be a reference to an environment variable like ${{{DsnSecrets.Variable(key, "NODE")}}}, never the secret itself");
        var variable = m.Groups[1].Value;
        return environment(variable) is { Length: > 0 } value ? value
            : throw Error(node, $"{what}: environment variable {variable} (its {key}) is not set; set it before running ibex apply");
    }

    List<SyncConfig> Syncs(YamlNode node, HashSet<string> nodes)
    {
        var result = new List<SyncConfig>();
        var defaults = new SyncOptions();
        foreach (var (key, value) in Entries(node, "syncs"))
        {
            var name = Name(key, "sync");
            var what = $"sync '{name}'";
            var f = Map(value, what, SyncKeys);
            var sources = f.TryGetValue("sources", out var src) ? NodeList(src, what, "sources", nodes) : throw Error(value, $"{what} has no sources; write sources: [NODE]");
            var targets = f.TryGetValue("targets", out var tgt) ? NodeList(tgt, what, "targets", nodes) : [];
            var fullcopy = f.TryGetValue("fullcopy", out var fc) ? NodeList(fc, what, "fullcopy", nodes) : [];
            if (sources.Concat(targets).Concat(fullcopy).GroupBy(x => x).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw Error(value, $"{what}: node '{twice.Key}' is listed more than once; a node has one role in a sync");
            var members = sources.Concat(targets).Concat(fullcopy).ToList();
            var options = new SyncOptions
            {
                Mode = Choice(f, "mode", what, defaults.Mode, "stream", "kick"),
                EverySeconds = f.TryGetValue("every_seconds", out var every) ? Number(every, $"{what} every_seconds") : null,
                Forward = Bool(f, "forward", what),
                AutoAddColumns = Bool(f, "auto_add_columns", what),
                Sequences = Bool(f, "sequences", what),
                DeleteMethod = Choice(f, "delete_method", what, defaults.DeleteMethod, "truncate", "delete"),
                MaxRetainedBytes = f.TryGetValue("max_retained_bytes", out var max) ? Bytes(max, $"{what} max_retained_bytes") : null,
                OnRetention = Choice(f, "on_retention", what, defaults.OnRetention, "error", "drop-slot"),
            };
            var copy = Enum.Parse<CopyMode>(Choice(f, "copy", what, "auto", "auto", "always", "never"), ignoreCase: true);
            var conflict = f.TryGetValue("conflict", out var c) ? Strategy(c, what, members) : "latest";
            if (!f.TryGetValue("tables", out var tablesNode))
                throw Error(value, $"{what} has no tables; write tables: {{public.orders: {{}}}}");
            var tables = Tables(tablesNode, what, members);
            if (tables.Count == 0)
                throw Error(tablesNode, $"{what} has no tables; list at least one");
            var ddl = Enum.Parse<DdlMode>(Choice(f, "ddl", what, "stop", "stop", "replicate", "ignore"), ignoreCase: true);
            result.Add(new SyncConfig(name, sources, targets, fullcopy, copy, conflict, !Bool(f, "paused", what), options, tables) { Ddl = ddl });
        }
        return result;
    }

    List<TableConfig> Tables(YamlNode node, string sync, IReadOnlyCollection<string> members)
    {
        var result = new List<TableConfig>();
        var seen = new HashSet<Sql.QualifiedName>();
        foreach (var (key, value) in Entries(node, $"{sync} tables"))
        {
            var name = Parse(key, () => TablePattern.ParseName(key.Value!));
            var what = $"{sync} table {name.Display}";
            if (!seen.Add(name))
                throw Error(key, $"{what} is listed twice; list each table once");
            var f = value is YamlScalarNode { Value: "" or null } ? [] : Map(value, what, TableKeys);
            var where = f.TryGetValue("where", out var w) ? String(w, $"{what} where") : null;
            IReadOnlyList<string>? columns = f.TryGetValue("columns", out var cols) ? Strings(cols, $"{what} columns") : null;
            var map = f.TryGetValue("map", out var m) ? Parse(m, () => TablePattern.ParseName(String(m, $"{what} map"))) : (Sql.QualifiedName?)null;
            var conflict = f.TryGetValue("conflict", out var c) ? Strategy(c, what, members) : null;
            result.Add(new TableConfig(name, where, columns, map, conflict));
        }
        return result;
    }

    string Strategy(YamlNode node, string what, IReadOnlyCollection<string> members)
        => Parse(node, () => Conflicts.ConflictStrategy.Parse(String(node, $"{what} conflict"), members).Text);

    List<string> NodeList(YamlNode node, string what, string key, HashSet<string> nodes)
    {
        var names = new List<string>();
        foreach (var item in Items(node, $"{what} {key}"))
        {
            var name = String(item, $"{what} {key}");
            if (!nodes.Contains(name))
                throw Error(item, $"{what}: unknown node '{name}' in {key}; add it under nodes:" + (nodes.Count > 0 ? $" (nodes in the file: {string.Join(", ", nodes.Order(StringComparer.Ordinal))})" : ""));
            names.Add(name);
        }
        return names;
    }

    List<string> Strings(YamlNode node, string what) => [.. Items(node, what).Select(i => String(i, what))];

    IEnumerable<YamlNode> Items(YamlNode node, string what)
        => node is YamlSequenceNode seq ? seq.Children : throw Error(node, $"{what} must be a list, e.g. [a, b]");

    string Name(YamlScalarNode key, string kind)
    {
        var name = key.Value ?? "";
        return Parse(key, () =>
        {
            ObjectNames.Validate(kind, name);
            return name;
        });
    }

    /// <summary>The entries of a mapping of named things, refusing duplicate names.</summary>
    IEnumerable<(YamlScalarNode Key, YamlNode Value)> Entries(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: "" or null })
            yield break;
        if (node is not YamlMappingNode map)
            throw Error(node, $"{what} must be a mapping of names, e.g. name: {{...}}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            var key = k as YamlScalarNode ?? throw Error(k, $"{what}: a name must be a plain string");
            if (!seen.Add(key.Value ?? ""))
                throw Error(k, $"{what}: '{key.Value}' is defined twice; names must be unique");
            yield return (key, v);
        }
    }

    /// <summary>A mapping of settings, refusing keys not in <paramref name="allowed"/> and duplicates.</summary>
    Dictionary<string, YamlNode> Map(YamlNode node, string what, string[] allowed)
    {
        if (node is not YamlMappingNode map)
            throw Error(node, $"{what} must be a mapping of settings ({string.Join(", ", allowed)})");
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(key))
                throw Error(k, $"{what}: unknown key '{key}'; allowed: {string.Join(", ", allowed)}");
            if (!result.TryAdd(key, v))
                throw Error(k, $"{what}: '{key}' is given twice");
        }
        return result;
    }

    string Choice(Dictionary<string, YamlNode> f, string key, string what, string fallback, params string[] allowed)
    {
        if (!f.TryGetValue(key, out var node))
            return fallback;
        var value = String(node, $"{what} {key}");
        return allowed.Contains(value) ? value : throw Error(node, $"{what}: {key} '{value}' is not one of {string.Join(", ", allowed)}");
    }

    bool Bool(Dictionary<string, YamlNode> f, string key, string what)
    {
        if (!f.TryGetValue(key, out var node))
            return false;
        return String(node, $"{what} {key}") switch
        {
            "true" => true,
            "false" => false,
            var other => throw Error(node, $"{what}: {key} '{other}' is not true or false"),
        };
    }

    double Number(YamlNode node, string what)
    {
        var text = String(node, what);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && double.IsFinite(n) ? n
            : throw Error(node, $"{what} '{text}' is not a positive number");
    }

    long Bytes(YamlNode node, string what)
    {
        var text = String(node, what);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
            : throw Error(node, $"{what} '{text}' is not a positive whole number of bytes");
    }

    string String(YamlNode node, string what)
        => node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw Error(node, $"{what} must be a non-empty string");

    T Parse<T>(YamlNode node, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (IbexException e)
        {
            throw Error(node, e.Message);
        }
    }

    IbexException Error(YamlNode node, string message) => Error(node.Start.Line, message);

    IbexException Error(long line, string message) => new($"{file}:{line.ToString(CultureInfo.InvariantCulture)}: {message}");

    static long LastGoodLine(string text)
    {
        var parser = new Parser(new StringReader(text));
        long line = 1;
        try
        {
            while (parser.MoveNext())
                line = parser.Current!.End.Line;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
        }
        return line;
    }

    static string IbexOneLine(string s) => string.Join(' ', s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
