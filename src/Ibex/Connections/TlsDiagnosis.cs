using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Npgsql;

namespace Ibex.Connections;

/// <summary>
/// Says why the server's certificate was refused (the driver only says it was): connects once more, takes the
/// certificate the server presents, and checks it the way sslmode asks: signed by a CA in the root file
/// (verify-ca, verify-full) and issued for the host name (verify-full).
/// </summary>
public static class TlsDiagnosis
{
    /// <summary>True when a connection failure is a refused server certificate (a TLS handshake that failed).</summary>
    public static bool IsCertificateFailure(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is AuthenticationException)
                return true;
        return false;
    }

    /// <summary>Why the server's certificate fails the checks of the settings' sslmode, or null when that cannot be told.</summary>
    public static async Task<string?> ExplainAsync(NpgsqlConnectionStringBuilder settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (host, port) = FirstHost(settings);
        if (host.Length == 0 || host.StartsWith('/'))
            return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(settings.Timeout, 1)));
        try
        {
            var presented = await PresentedCertificateAsync(host, port, timeout.Token).ConfigureAwait(false);
            if (presented is null)
                return null;
            using (presented.Value.Certificate)
                return Judge(presented.Value.Certificate, presented.Value.Intermediates, settings, host);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or CryptographicException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Unreachable now, or a root file that is not PEM: the driver's own words are all there is to say.
            return null;
        }
    }

    static string? Judge(X509Certificate2 certificate, X509Certificate2Collection intermediates, NpgsqlConnectionStringBuilder settings, string host)
    {
        var problems = new List<string>();
        if (settings.SslMode is SslMode.VerifyCA or SslMode.VerifyFull)
        {
            var rootFile = TlsFiles.RootCertificate(settings);
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
            if (rootFile is not null)
            {
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(rootFile);
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            }
            if (!chain.Build(certificate))
            {
                var trusted = rootFile is null ? "this machine's trusted CAs (no sslrootcert given)" : $"sslrootcert {rootFile}";
                var why = string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct());
                problems.Add($"the CA is not trusted: the server's certificate (issued by {certificate.Issuer}) is not signed by a CA in {trusted}" + (why.Length > 0 ? $" ({why})" : ""));
            }
        }
        if (settings.SslMode == SslMode.VerifyFull && !certificate.MatchesHostname(host))
            problems.Add($"host name mismatch: the server's certificate is for {Names(certificate)}, not '{host}'");
        return problems.Count == 0 ? null : $"server certificate refused (sslmode={ConnectionString.SslModeName(settings.SslMode)}): {string.Join("; ", problems)}";
    }

    static string Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(a => a.ToString()));
        }
        if (names.Count == 0 && certificate.GetNameInfo(X509NameType.SimpleName, false) is { Length: > 0 } commonName)
            names.Add(commonName);
        return names.Count == 0 ? "no host name" : string.Join(", ", names.Select(n => $"'{n}'"));
    }

    /// <summary>PostgreSQL's SSLRequest, then a TLS handshake that keeps the certificate and refuses it (nothing is sent).</summary>
    static async Task<(X509Certificate2 Certificate, X509Certificate2Collection Intermediates)?> PresentedCertificateAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        var stream = tcp.GetStream();
        var request = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(request, 8);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(4), 80877103);
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        var answer = new byte[1];
        await stream.ReadExactlyAsync(answer, cancellationToken).ConfigureAwait(false);
        if (answer[0] != (byte)'S')
            return null;
        X509Certificate2? seen = null;
        var intermediates = new X509Certificate2Collection();
        await using var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                {
                    if (certificate is not null)
                        seen = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    if (chain is not null)
                        foreach (var extra in chain.ChainPolicy.ExtraStore)
                            intermediates.Add(X509CertificateLoader.LoadCertificate(extra.RawData));
                    return false;
                },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException)
        {
            // Expected: the callback refuses every certificate once it has it.
        }
        return seen is null ? null : (seen, intermediates);
    }

    static (string Host, int Port) FirstHost(NpgsqlConnectionStringBuilder settings)
    {
        var first = (settings.Host ?? "").Split(',')[0].Trim();
        var port = settings.Port;
        if (first.StartsWith('['))
        {
            var close = first.IndexOf(']', StringComparison.Ordinal);
            if (close > 0)
            {
                if (close + 2 < first.Length && first[close + 1] == ':' && int.TryParse(first[(close + 2)..], System.Globalization.CultureInfo.InvariantCulture, out var p6))
                    port = p6;
                first = first[1..close];
            }
        }
        else if (first.Count(c => c == ':') == 1 && int.TryParse(first[(first.IndexOf(':', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var p))
        {
            port = p;
            first = first[..first.IndexOf(':', StringComparison.Ordinal)];
        }
        return (first, port);
    }
}
