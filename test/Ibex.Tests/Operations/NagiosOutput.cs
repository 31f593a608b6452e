using System.Globalization;
using System.Text.RegularExpressions;
using Shouldly;

namespace Ibex.Tests.Operations;

/// <summary>
/// A strict parser of Nagios plugin output (plugin API, output and performance data): exactly one line
/// <c>SERVICE STATE: text[ | perfdata]</c>, the state matching the exit code, and each perfdata item
/// <c>'label'=value[UOM];[warn];[crit];[min];[max]</c>.
/// </summary>
public sealed partial record NagiosOutput(string Service, string State, string Text, IReadOnlyList<NagiosOutput.PerfItem> Perf)
{
    public sealed record PerfItem(string Label, double Value, string Unit, double? Warning, double? Critical, double? Min, double? Max);

    static readonly string[] States = ["OK", "WARNING", "CRITICAL", "UNKNOWN"];

    public PerfItem this[string label] => Perf.SingleOrDefault(p => p.Label == label) ?? throw new ShouldAssertException($"no perfdata '{label}' in {string.Join(" ", Perf.Select(p => p.Label))}");

    public static NagiosOutput Parse(string output, int exitCode)
    {
        output.ShouldEndWith("\n", customMessage: "plugin output must end with a newline");
        var body = output[..^1];
        body.ShouldNotContain("\n", customMessage: $"plugin output must be exactly one line: {output}");
        body.ShouldNotContain("\r");
        var m = LineRegex().Match(body);
        m.Success.ShouldBeTrue($"not a plugin line: {body}");
        var state = m.Groups["state"].Value;
        Array.IndexOf(States, state).ShouldBe(exitCode, $"state {state} does not match exit code {exitCode}: {body}");
        var text = m.Groups["text"].Value;
        text.ShouldNotBeNullOrWhiteSpace();
        var perf = m.Groups["perf"].Success ? ParsePerf(m.Groups["perf"].Value) : [];
        perf.Select(p => p.Label).Distinct().Count().ShouldBe(perf.Count, "perfdata labels must be unique");
        return new NagiosOutput(m.Groups["service"].Value, state, text, perf);
    }

    static List<PerfItem> ParsePerf(string s)
    {
        var items = new List<PerfItem>();
        var i = 0;
        while (i < s.Length)
        {
            string label;
            if (s[i] == '\'')
            {
                var sb = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    (i < s.Length).ShouldBeTrue($"unterminated quoted label in perfdata: {s}");
                    if (s[i] == '\'')
                    {
                        if (i + 1 < s.Length && s[i + 1] == '\'')
                        {
                            sb.Append('\'');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    sb.Append(s[i++]);
                }
                label = sb.ToString();
            }
            else
            {
                var start = i;
                while (i < s.Length && s[i] != '=' && s[i] != ' ' && s[i] != '\'')
                    i++;
                label = s[start..i];
            }
            label.Length.ShouldBeGreaterThan(0, $"empty perfdata label: {s}");
            label.ShouldNotContain("=");
            (i < s.Length && s[i] == '=').ShouldBeTrue($"perfdata label '{label}' not followed by '=': {s}");
            i++;
            var end = s.IndexOf(' ', i);
            if (end < 0)
                end = s.Length;
            var rest = s[i..end];
            var m = ValueRegex().Match(rest);
            m.Success.ShouldBeTrue($"perfdata '{label}={rest}' is not value[UOM];[warn];[crit];[min];[max]");
            items.Add(new PerfItem(label, Num(m.Groups["v"].Value)!.Value, m.Groups["uom"].Value, Num(m.Groups["w"].Value), Num(m.Groups["c"].Value), Num(m.Groups["min"].Value), Num(m.Groups["max"].Value)));
            i = end;
            if (i < s.Length)
            {
                s[i].ShouldBe(' ');
                i++;
                (i < s.Length && s[i] != ' ').ShouldBeTrue($"perfdata items must be separated by single spaces: {s}");
            }
        }
        return items;
    }

    static double? Num(string s) => s.Length == 0 ? null : double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<service>[A-Z][A-Z0-9_]*) (?<state>OK|WARNING|CRITICAL|UNKNOWN): (?<text>[^|]+?)(?: \| (?<perf>\S.*))?$")]
    private static partial Regex LineRegex();

    [GeneratedRegex(@"^(?<v>-?\d+(?:\.\d+)?)(?<uom>s|ms|us|%|B|KB|MB|GB|TB|c)?(?:;(?<w>-?\d+(?:\.\d+)?)?(?:;(?<c>-?\d+(?:\.\d+)?)?(?:;(?<min>-?\d+(?:\.\d+)?)?(?:;(?<max>-?\d+(?:\.\d+)?)?)?)?)?)?$")]
    private static partial Regex ValueRegex();
}
