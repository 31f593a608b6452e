using Npgsql;

namespace Ibex.Connections;

/// <summary>The reason a connection could not be opened, in the words an operator needs.</summary>
public static class ConnectionFailure
{
    /// <summary>
    /// <see cref="Errors.Describe"/>, except for a refused server certificate, where the driver only says that it was
    /// refused: then which check failed (host name, CA) is found out and said.
    /// </summary>
    public static async Task<string> DescribeAsync(Exception e, NpgsqlConnectionStringBuilder settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (TlsDiagnosis.IsCertificateFailure(e) && await TlsDiagnosis.ExplainAsync(settings, cancellationToken).ConfigureAwait(false) is { } why)
            return why;
        return Errors.Describe(e);
    }
}
