namespace Ibex.Monitoring.Checks;

/// <summary>A warning and a critical level (either may be absent); a value above a level raises that state.</summary>
public readonly record struct Threshold(double? Warning, double? Critical)
{
    public CheckState Evaluate(double value) =>
        Critical is { } c && value > c ? CheckState.Critical
        : Warning is { } w && value > w ? CheckState.Warning
        : CheckState.Ok;
}
