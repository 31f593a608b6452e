using System.Globalization;

namespace Ibex.Cli.Top;

/// <summary>The title line both screens share.</summary>
public static class TopScreenText
{
    public static string Title(DateTime now, IReadOnlyList<TopRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return $"ibex top  {now.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)}  {rows.Select(r => r.Sync).Distinct().Count()} sync(s), {rows.Count(r => r.Link != "-")} link(s)  (Ctrl+C to quit)";
    }
}
