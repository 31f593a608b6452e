using System.Diagnostics;
using System.Globalization;
using Ibex.Local;
using Ibex.Tests.Infrastructure;

namespace Ibex.Tests.Import;

/// <summary>
/// A real Bucardo 5 control database: Debian's <c>bucardo</c> program run with <c>bucardo install</c> against a
/// throwaway cluster of its own (Bucardo always names its database <c>bucardo</c>, so tests cannot share one), with
/// HOME and the PID directory in a temporary folder. Bucardo's daemon is never started.
/// </summary>
public sealed class BucardoControl : IAsyncDisposable
{
    readonly string _home;

    BucardoControl(LocalCluster cluster, string home)
    {
        Cluster = cluster;
        _home = home;
    }

    public LocalCluster Cluster { get; }

    /// <summary>Bucardo's control database as a libpq key=value string.</summary>
    public string Dsn => Cluster.ConnectionString("bucardo", "bucardo");

    /// <summary>Null when bucardo and PL/Perl are available (installing them as root if needed), else why not.</summary>
    public static async Task<string?> UnavailableReasonAsync()
    {
        if (Available())
            return null;
        var script = FindScript("scripts/ensure-bucardo.sh");
        if (script is null)
            return "Debian's bucardo package (with postgresql-plperl-15) is not installed, and scripts/ensure-bucardo.sh was not found above " + AppContext.BaseDirectory;
        // The script's own words say why (not root, no apt-get, or apt's error lines): they become the skip reason.
        var said = await RunAsync("bash", [script], null, throwOnError: false);
        return Available() ? null
            : "Debian's bucardo package (with postgresql-plperl-15) is not installed and could not be installed here: " + said.Trim();
    }

    static bool Available()
        => File.Exists("/usr/bin/bucardo") && File.Exists("/usr/share/bucardo/bucardo.schema")
           && PostgresBinaries.Find() is { } bin && File.Exists(Path.Combine(Path.GetDirectoryName(bin)!, "lib", "plperl.so"));

    public static async Task<BucardoControl> InstallAsync()
    {
        var cluster = await LocalCluster.StartAsync("bucardo");
        var home = Directory.CreateTempSubdirectory("ibex-bucardo-").FullName;
        Directory.CreateDirectory(Path.Combine(home, "pid"));
        var control = new BucardoControl(cluster, home);
        try
        {
            await RunAsync("bucardo", ["install", "--batch", "--quiet", "--dbhost", "127.0.0.1", "--dbport", Port(cluster), "--dbuser", "postgres", "--dbname", "postgres", "--piddir", Path.Combine(home, "pid")], home);
        }
        catch
        {
            await control.DisposeAsync();
            throw;
        }
        return control;
    }

    /// <summary>Runs <c>bucardo ARGS</c> against this control database; returns its output, fails the test on a non-zero exit.</summary>
    public Task<string> RunAsync(params string[] args)
        => RunAsync("bucardo", ["--dbhost", "127.0.0.1", "--dbport", Port(Cluster), "--dbname", "bucardo", "--dbuser", "bucardo", .. args], _home);

    /// <summary><c>bucardo add db</c> for a database of a scenario (as superuser postgres over TCP).</summary>
    public Task<string> AddDbAsync(string name, LocalCluster cluster, string database, params string[] extra)
        => RunAsync(["add", "db", name, $"dbname={database}", "dbhost=127.0.0.1", $"dbport={Port(cluster)}", "dbuser=postgres", .. extra]);

    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(_home, name);
        File.WriteAllText(path, text);
        return path;
    }

    static string Port(LocalCluster c) => c.Port.ToString(CultureInfo.InvariantCulture);

    static async Task<string> RunAsync(string file, string[] args, string? home, bool throwOnError = true)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        if (home is not null)
            psi.Environment["HOME"] = home;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(5));
        var output = await stdout + await stderr;
        if (throwOnError && p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {output}");
        return output;
    }

    internal static string? FindScript(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative)))
                return Path.Combine(dir.FullName, relative);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
