using Microsoft.Extensions.Logging;

namespace Ibex.Cli;

/// <summary>
/// What every command gets from the host: where to write (injected, so tests capture it), environment variables,
/// and a logger factory. Commands never touch <see cref="Console"/> directly.
/// </summary>
public sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error, Func<string, string?>? environment = null, ILoggerFactory? loggerFactory = null)
    {
        Output = output;
        Error = error;
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
        LoggerFactory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public Func<string, string?> Environment { get; }

    public ILoggerFactory LoggerFactory { get; set; }

    /// <summary>True when the output is a terminal a person reads (progress bars and colours allowed).</summary>
    public bool Interactive { get; init; }
}
