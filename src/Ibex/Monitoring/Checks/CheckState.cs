namespace Ibex.Monitoring.Checks;

/// <summary>Nagios plugin states; the value is the plugin's exit code.</summary>
public enum CheckState
{
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}
