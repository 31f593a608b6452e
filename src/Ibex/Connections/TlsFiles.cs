using Npgsql;

namespace Ibex.Connections;

/// <summary>The certificate and key files a connection names: checked before connecting, so a missing one is named.</summary>
public static class TlsFiles
{
    /// <summary>Throws a one-line <see cref="IbexException"/> naming the first sslrootcert, sslcert or sslkey file that does not exist.</summary>
    public static void Check(NpgsqlConnectionStringBuilder settings, string what)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.SslMode == SslMode.Disable)
            return;
        Require(settings.RootCertificate, "sslrootcert", "the CA certificate that signed the server's certificate", what);
        if (string.IsNullOrEmpty(settings.RootCertificate))
            Require(Environment.GetEnvironmentVariable("PGSSLROOTCERT"), "PGSSLROOTCERT", "the CA certificate that signed the server's certificate", what);
        Require(settings.SslCertificate, "sslcert", "the client certificate", what);
        Require(settings.SslKey, "sslkey", "the client certificate's private key", what);
    }

    /// <summary>The root certificate file the driver trusts for this connection, or null for the system's CAs.</summary>
    public static string? RootCertificate(NpgsqlConnectionStringBuilder settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!string.IsNullOrEmpty(settings.RootCertificate))
            return settings.RootCertificate;
        if (Environment.GetEnvironmentVariable("PGSSLROOTCERT") is { Length: > 0 } fromEnvironment)
            return fromEnvironment;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var standard = Path.Combine(home, ".postgresql", "root.crt");
        return home.Length > 0 && File.Exists(standard) ? standard : null;
    }

    static void Require(string? path, string key, string holds, string what)
    {
        if (string.IsNullOrEmpty(path) || File.Exists(path))
            return;
        throw new IbexException($"{what}: {key} file {path} does not exist; it must hold {holds} (PEM)");
    }
}
