using System.Globalization;

namespace Ibex.Monitoring.Checks;

/// <summary>One item of Nagios performance data: <c>'label'=value[UOM];[warn];[crit];[min];[max]</c>.</summary>
public sealed record PerfDatum(string Label, double Value, string Unit, double? Warning, double? Critical, double? Min = 0, double? Max = null)
{
    public override string ToString()
        => $"'{Label.Replace("'", "''", StringComparison.Ordinal).Replace("=", "_", StringComparison.Ordinal)}'={Number(Value)}{Unit};{Number(Warning)};{Number(Critical)};{Number(Min)};{Number(Max)}";

    static string Number(double? v) => v is { } x ? x.ToString("0.###", CultureInfo.InvariantCulture) : "";
}
