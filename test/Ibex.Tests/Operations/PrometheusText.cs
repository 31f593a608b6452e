using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Shouldly;

namespace Ibex.Tests.Operations;

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4: HELP and TYPE at most once per family and before
/// its samples, samples of a family together, valid metric and label names, escaped label values, float values,
/// no duplicate series, counters named <c>_total</c>, a final newline.
/// </summary>
public sealed partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public string Key => Name + "{" + string.Join(",", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
    }

    public Dictionary<string, string> Types { get; } = [];

    public Dictionary<string, string> Help { get; } = [];

    public List<Sample> Samples { get; } = [];

    public IEnumerable<Sample> Find(string name, params (string Label, string Value)[] labels)
        => Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value));

    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var found = Find(name, labels).ToList();
        found.Count.ShouldBe(1, $"{name} {string.Join(",", labels)}: expected one series");
        return found[0].Value;
    }

    public static PrometheusText Parse(string text)
    {
        text.ShouldEndWith("\n", customMessage: "the exposition must end with a newline");
        var result = new PrometheusText();
        var seen = new HashSet<string>();
        var closed = new HashSet<string>();
        string? current = null;
        foreach (var line in text[..^1].Split('\n'))
        {
            line.ShouldNotContain("\r");
            if (line.Length == 0)
                continue;
            if (line.StartsWith('#'))
            {
                var m = CommentRegex().Match(line);
                if (!m.Success)
                    continue; // a plain comment
                var name = m.Groups["name"].Value;
                NameRegex().IsMatch(name).ShouldBeTrue($"bad metric name in '{line}'");
                closed.ShouldNotContain(name, $"family {name} appears in two places");
                if (m.Groups["kind"].Value == "TYPE")
                {
                    result.Types.ContainsKey(name).ShouldBeFalse($"TYPE of {name} given twice");
                    result.Samples.Any(s => s.Name == name).ShouldBeFalse($"TYPE of {name} after its samples");
                    var type = m.Groups["rest"].Value;
                    type.ShouldBeOneOf("counter", "gauge", "histogram", "summary", "untyped");
                    result.Types[name] = type;
                    if (type == "counter")
                        name.ShouldEndWith("_total", customMessage: $"counter {name} should end in _total");
                }
                else
                {
                    result.Help.ContainsKey(name).ShouldBeFalse($"HELP of {name} given twice");
                    result.Help[name] = m.Groups["rest"].Value;
                }
                if (current is not null && current != name)
                    closed.Add(current);
                current = name;
                continue;
            }
            var sample = ParseSample(line);
            result.Types.ContainsKey(sample.Name).ShouldBeTrue($"sample of {sample.Name} without TYPE");
            closed.ShouldNotContain(sample.Name, $"samples of {sample.Name} are not together");
            if (current is not null && current != sample.Name)
                closed.Add(current);
            current = sample.Name;
            seen.Add(sample.Key).ShouldBeTrue($"duplicate series {sample.Key}");
            result.Samples.Add(sample);
        }
        return result;
    }

    static Sample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
            i++;
        var name = line[..i];
        NameRegex().IsMatch(name).ShouldBeTrue($"bad metric name in '{line}'");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (line[i] != '=')
                    i++;
                var label = line[start..i];
                LabelRegex().IsMatch(label).ShouldBeTrue($"bad label name '{label}' in '{line}'");
                label.StartsWith("__", StringComparison.Ordinal).ShouldBeFalse();
                i++;
                line[i].ShouldBe('"', $"label value not quoted in '{line}'");
                i++;
                var sb = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        sb.Append(line[i] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new ShouldAssertException($"bad escape \\{line[i]} in '{line}'"),
                        });
                    }
                    else
                        sb.Append(line[i]);
                    i++;
                }
                i++;
                labels.ContainsKey(label).ShouldBeFalse($"label {label} twice in '{line}'");
                labels[label] = sb.ToString();
                if (line[i] == ',')
                    i++;
                else
                    line[i].ShouldBe('}', $"expected , or }} in '{line}'");
            }
            i++;
        }
        line[i].ShouldBe(' ', $"expected a space before the value in '{line}'");
        var parts = line[(i + 1)..].Split(' ');
        parts.Length.ShouldBeInRange(1, 2, $"value [timestamp] expected in '{line}'");
        var value = parts[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v when FloatRegex().IsMatch(v) => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            var v => throw new ShouldAssertException($"bad value '{v}' in '{line}'"),
        };
        if (parts.Length == 2)
            long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _).ShouldBeTrue($"bad timestamp in '{line}'");
        return new Sample(name, labels, value);
    }

    [GeneratedRegex(@"^# (?<kind>HELP|TYPE) (?<name>\S+) ?(?<rest>.*)$")]
    private static partial Regex CommentRegex();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelRegex();

    [GeneratedRegex(@"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")]
    private static partial Regex FloatRegex();
}
