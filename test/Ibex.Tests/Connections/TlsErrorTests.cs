using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ibex.Connections;
using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Connections;

/// <summary>
/// A server with ssl = on and a certificate for 127.0.0.1 signed by a CA made in the test: each failed check of
/// verify-ca / verify-full is named (host name, CA, missing root file), and <c>node list</c> shows sslmode.
/// </summary>
public class TlsErrorTests
{
    [Fact]
    public async Task Each_failed_certificate_check_is_named()
    {
        var ct = TestContext.Current.CancellationToken;
        var files = Directory.CreateTempSubdirectory("ibex-tls-");
        try
        {
            using var ca = Authority("Ibex Test CA");
            using var otherCa = Authority("Some Other CA");
            var caFile = WritePem(files, "ca.crt", ca);
            var otherCaFile = WritePem(files, "other-ca.crt", otherCa);
            await using var cluster = await TlsClusterAsync(ca);
            var port = cluster.Port.ToString(CultureInfo.InvariantCulture);

            async Task<string> RefusalAsync(string dsn)
            {
                var e = await Should.ThrowAsync<IbexException>(async () =>
                {
                    await using var _ = await NodeConnections.OpenAsync(ConnectionString.Parse(dsn), "node 'tls'", "test", ct);
                });
                e.Message.ShouldNotContain("\n");
                TestContext.Current.TestOutputHelper?.WriteLine(e.Message);
                return e.Message;
            }

            // The certificate is good for 127.0.0.1 signed by ca.crt: verify-full connects.
            await using (var ok = await NodeConnections.OpenAsync(ConnectionString.Parse($"host=127.0.0.1 port={port} dbname=postgres user=postgres sslmode=verify-full sslrootcert={caFile}"), "node 'tls'", "test", ct))
                (await ok.ScalarAsync<bool>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).ShouldBeTrue();

            var mismatch = await RefusalAsync($"host=localhost port={port} dbname=postgres user=postgres sslmode=verify-full sslrootcert={caFile}");
            mismatch.ShouldContain("host name mismatch");
            mismatch.ShouldContain("'127.0.0.1', not 'localhost'");
            mismatch.ShouldNotContain("CA is not trusted");

            var untrusted = await RefusalAsync($"host=127.0.0.1 port={port} dbname=postgres user=postgres sslmode=verify-ca sslrootcert={otherCaFile}");
            untrusted.ShouldContain("CA is not trusted");
            untrusted.ShouldContain(otherCaFile);
            untrusted.ShouldContain("Ibex Test CA");
            untrusted.ShouldNotContain("host name mismatch");

            var missing = Path.Combine(files.FullName, "no-such-root.crt");
            var noFile = await RefusalAsync($"host=127.0.0.1 port={port} dbname=postgres user=postgres sslmode=verify-full sslrootcert={missing}");
            noFile.ShouldContain($"sslrootcert file {missing} does not exist");

            // node list shows the sslmode of a node; node add refuses the wrong host name with the same reason.
            await using var s = await Scenario.CreateAsync(cluster, ("tls", cluster));
            var (_, db) = s.Node("tls");
            (await s.Ibex("node", "add", "tls", "--dsn", $"host=127.0.0.1 port={port} dbname={db} user=postgres sslmode=verify-full sslrootcert={caFile}")).ShouldSucceed();
            var list = (await s.Ibex("node", "list")).ShouldSucceed();
            list.Output.ShouldContain($"postgresql://postgres@127.0.0.1:{port}/{db}?sslmode=verify-full");
            var refused = await s.Ibex("node", "add", "tls2", "--dsn", $"host=localhost port={port} dbname={db} user=postgres sslmode=verify-full sslrootcert={caFile}");
            refused.ShouldFail("host name mismatch");
            TestContext.Current.TestOutputHelper?.WriteLine(refused.Error + list.Output);
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    /// <summary>A started cluster with ssl = on and a server certificate for 127.0.0.1 only, signed by <paramref name="ca"/>.</summary>
    static async Task<LocalCluster> TlsClusterAsync(X509Certificate2 ca)
    {
        var ct = TestContext.Current.CancellationToken;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(ca, ca.NotBefore, ca.NotAfter.AddDays(-1), RandomNumberGenerator.GetBytes(16));

        var cluster = await LocalCluster.StartAsync("tls", cancellationToken: ct);
        try
        {
            await cluster.StopServerAsync(cancellationToken: ct);
            var certFile = Path.Combine(cluster.DataDirectory, "server.crt");
            var keyFile = Path.Combine(cluster.DataDirectory, "server.key");
            await File.WriteAllTextAsync(certFile, server.ExportCertificatePem(), ct);
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem(), ct);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (Environment.UserName == "root")
                await ChownToPostgresAsync(certFile, keyFile);
            await cluster.AppendConfAsync("ssl = on", ct);
            await cluster.StartServerAsync(ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    static string WritePem(DirectoryInfo dir, string name, X509Certificate2 certificate)
    {
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    static async Task ChownToPostgresAsync(params string[] paths)
    {
        var psi = new ProcessStartInfo("chown") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("postgres:postgres");
        foreach (var p in paths)
            psi.ArgumentList.Add(p);
        using var process = Process.Start(psi)!;
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1));
        process.ExitCode.ShouldBe(0, await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
    }
}
