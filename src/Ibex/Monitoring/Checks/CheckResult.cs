namespace Ibex.Monitoring.Checks;

/// <summary>The outcome of <c>ibex check</c>: a state, a one-line summary and performance data.</summary>
public sealed record CheckResult(CheckState State, string Summary, IReadOnlyList<PerfDatum> PerfData)
{
    public const string Service = "IBEX_SYNC";

    /// <summary>The plugin's single output line, e.g. <c>IBEX_SYNC OK: … | 'lag_s'=0.2s;30;300;0;</c>.</summary>
    public string Line
    {
        get
        {
            var text = OneLine(Summary).Replace('|', '/');
            var perf = string.Join(' ', PerfData.Select(p => p.ToString()));
            return $"{Service} {Name(State)}: {text}" + (perf.Length > 0 ? " | " + perf : "");
        }
    }

    public int ExitCode => (int)State;

    public static CheckResult Unknown(string message) => new(CheckState.Unknown, message, []);

    public static string Name(CheckState state) => state switch
    {
        CheckState.Ok => "OK",
        CheckState.Warning => "WARNING",
        CheckState.Critical => "CRITICAL",
        _ => "UNKNOWN",
    };

    static string OneLine(string s) => string.Join(' ', s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
