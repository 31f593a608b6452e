namespace Ibex;

/// <summary>
/// An error meant for an operator: its message is one line that names the object at fault and the fix.
/// The CLI prints it as it is and exits non-zero; anything else is a bug and is printed with its type.
/// </summary>
public class IbexException : Exception
{
    public IbexException() { }

    public IbexException(string message) : base(message) { }

    public IbexException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The process exit code the CLI uses for this error.</summary>
    public int ExitCode { get; init; } = 1;
}
