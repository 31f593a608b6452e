using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Ibex.Declarative;

/// <summary>
/// Writes a <see cref="ReplicationConfig"/> as YAML or JSON: nodes, syncs and tables sorted by name, settings at their
/// default left out, passwords as <c>${VARIABLE}</c> references. The same configuration always gives the same bytes.
/// </summary>
public static partial class ConfigWriter
{
    /// <summary>The first line of an exported YAML file.</summary>
    public const string Header = "# Ibex replication configuration: 'ibex apply FILE' makes a control database match it; passwords come from the ${VARIABLES} named";

    [GeneratedRegex("^(?i:true|false|yes|no|on|off|y|n|null|~|[-+.]?[0-9].*|[-+]?\\.(inf|nan))$")]
    private static partial Regex Ambiguous();

    public static string Yaml(ReplicationConfig config)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        text.WriteLine(Header);
        var emitter = new Emitter(text, new EmitterSettings().WithBestIndent(2).WithBestWidth(int.MaxValue));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        EmitYaml(emitter, Tree(config));
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    public static string Json(ReplicationConfig config)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" }))
            EmitJson(json, Tree(config));
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The file's content as ordered mappings (lists of pairs), lists of strings and scalars.</summary>
    static List<KeyValuePair<string, object>> Tree(ReplicationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var nodes = new List<KeyValuePair<string, object>>();
        foreach (var n in config.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var (dsn, secrets) = DsnSecrets.Strip(n.Dsn, n.Name);
            var node = new List<KeyValuePair<string, object>> { new("dsn", dsn) };
            node.AddRange(secrets.Select(s => new KeyValuePair<string, object>(s, "${" + DsnSecrets.Variable(s, n.Name) + "}")));
            nodes.Add(new(n.Name, node));
        }
        var syncs = new List<KeyValuePair<string, object>>();
        foreach (var s in config.Syncs.OrderBy(s => s.Name, StringComparer.Ordinal))
            syncs.Add(new(s.Name, Sync(s)));
        return [new("nodes", nodes), new("syncs", syncs)];
    }

    static List<KeyValuePair<string, object>> Sync(SyncConfig s)
    {
        var o = s.Options;
        var defaults = new Control.Model.SyncOptions();
        var m = new List<KeyValuePair<string, object>> { new("sources", Sorted(s.Sources)) };
        Add(m, "targets", s.Targets.Count > 0 ? Sorted(s.Targets) : null);
        Add(m, "fullcopy", s.Fullcopy.Count > 0 ? Sorted(s.Fullcopy) : null);
        Add(m, "copy", s.Copy.ToString().ToLowerInvariant());
        Add(m, "conflict", s.Conflict);
        Add(m, "paused", s.Enabled ? null : true);
        Add(m, "mode", o.Mode == defaults.Mode ? null : o.Mode);
        Add(m, "every_seconds", o.EverySeconds);
        Add(m, "forward", o.Forward ? true : null);
        Add(m, "auto_add_columns", o.AutoAddColumns ? true : null);
        Add(m, "sequences", o.Sequences ? true : null);
        Add(m, "delete_method", o.DeleteMethod == defaults.DeleteMethod ? null : o.DeleteMethod);
        Add(m, "max_retained_bytes", o.MaxRetainedBytes);
        Add(m, "on_retention", o.OnRetention == defaults.OnRetention ? null : o.OnRetention);
        Add(m, "ddl", s.Ddl == Control.Model.DdlMode.Stop ? null : s.Ddl.ToString().ToLowerInvariant());
        var tables = new List<KeyValuePair<string, object>>();
        foreach (var t in s.Tables.OrderBy(t => t.Name))
        {
            var tm = new List<KeyValuePair<string, object>>();
            Add(tm, "where", t.Where);
            Add(tm, "columns", t.Columns);
            Add(tm, "map", t.Map?.Display);
            Add(tm, "conflict", t.Conflict);
            tables.Add(new(t.Name.Display, tm));
        }
        m.Add(new("tables", tables));
        return m;
    }

    static List<string> Sorted(IEnumerable<string> names) => [.. names.Order(StringComparer.Ordinal)];

    static void Add(List<KeyValuePair<string, object>> map, string key, object? value)
    {
        if (value is not null)
            map.Add(new(key, value));
    }

    static void EmitYaml(IEmitter e, object value)
    {
        switch (value)
        {
            case List<KeyValuePair<string, object>> map:
                e.Emit(new MappingStart(null, null, true, map.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (k, v) in map)
                {
                    EmitYaml(e, k);
                    EmitYaml(e, v);
                }
                e.Emit(new MappingEnd());
                break;
            case IReadOnlyList<string> list:
                e.Emit(new SequenceStart(null, null, true, SequenceStyle.Flow));
                foreach (var item in list)
                    EmitYaml(e, item);
                e.Emit(new SequenceEnd());
                break;
            case string s:
                e.Emit(new Scalar(null, null, s, Ambiguous().IsMatch(s) || s.Length == 0 ? ScalarStyle.DoubleQuoted : ScalarStyle.Any, true, true));
                break;
            case bool b:
                e.Emit(new Scalar(b ? "true" : "false"));
                break;
            case IFormattable number:
                e.Emit(new Scalar(number.ToString(null, CultureInfo.InvariantCulture)));
                break;
            default:
                throw new InvalidOperationException($"cannot write a {value.GetType().Name}");
        }
    }

    static void EmitJson(Utf8JsonWriter w, object value)
    {
        switch (value)
        {
            case List<KeyValuePair<string, object>> map:
                w.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    w.WritePropertyName(k);
                    EmitJson(w, v);
                }
                w.WriteEndObject();
                break;
            case IReadOnlyList<string> list:
                w.WriteStartArray();
                foreach (var item in list)
                    w.WriteStringValue(item);
                w.WriteEndArray();
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case double d:
                w.WriteNumberValue(d);
                break;
            default:
                throw new InvalidOperationException($"cannot write a {value.GetType().Name}");
        }
    }
}
