using System.Globalization;
using System.Text;

namespace Ibex.Monitoring.Metrics;

/// <summary>Writes the Prometheus text exposition format (version 0.0.4): HELP and TYPE once per metric family, then its samples.</summary>
public sealed class PrometheusWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    readonly StringBuilder _sb = new();
    readonly HashSet<string> _families = [];

    /// <summary>Starts a metric family; <paramref name="type"/> is counter or gauge.</summary>
    public PrometheusWriter Family(string name, string type, string help)
    {
        if (!_families.Add(name))
            throw new InvalidOperationException($"metric family {name} written twice");
        _sb.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    public PrometheusWriter Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        _sb.Append(name);
        if (labels.Length > 0)
        {
            _sb.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                    _sb.Append(',');
                _sb.Append(labels[i].Name).Append("=\"").Append(EscapeLabel(labels[i].Value)).Append('"');
            }
            _sb.Append('}');
        }
        _sb.Append(' ').Append(Number(value)).Append('\n');
        return this;
    }

    public override string ToString() => _sb.ToString();

    public static string Number(double v) => v switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(v) => "NaN",
        _ when v == Math.Floor(v) && Math.Abs(v) < 1e15 => ((long)v).ToString(CultureInfo.InvariantCulture),
        _ => v.ToString("R", CultureInfo.InvariantCulture),
    };

    static string EscapeLabel(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    static string EscapeHelp(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
