using System.Diagnostics;
using System.Text;

namespace Ibex.Tests.Operations;

/// <summary>Debian's chromium, installed with apt-get when missing (as root), run headless with no network of its own.</summary>
public static class Chromium
{
    static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
    static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>The browser's path, or null with the reason it could not be had.</summary>
    public static async Task<(string? Path, string Reason)> FindOrInstallAsync()
    {
        var found = Candidates.FirstOrDefault(File.Exists);
        if (found is not null)
            return (found, "");
        if (Environment.UserName != "root")
            return (null, "chromium is not installed and this is not root, so 'apt-get install -y chromium' cannot run");
        await InstallLock.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            var install = await RunAsync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], TimeSpan.FromMinutes(8));
            if (install.ExitCode != 0)
            {
                await RunAsync("apt-get", ["update"], TimeSpan.FromMinutes(5));
                install = await RunAsync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], TimeSpan.FromMinutes(8));
            }
            found = Candidates.FirstOrDefault(File.Exists);
            return (found, found is null ? $"'apt-get install -y chromium' failed: {install.Error.Trim()}" : "");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Runs the browser headless against <paramref name="url"/> with the given extra arguments (e.g. --dump-dom, --screenshot=…).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> HeadlessAsync(string browser, string url, int virtualTimeMs, params string[] extra)
    {
        var profile = Directory.CreateTempSubdirectory("ibex-chromium-").FullName;
        try
        {
            string[] args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--disable-extensions", "--no-default-browser-check",
                "--hide-scrollbars", $"--user-data-dir={profile}", $"--virtual-time-budget={virtualTimeMs}", .. extra, url,
            ];
            return await RunAsync(browser, args, TimeSpan.FromSeconds(90));
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            await p.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        p.WaitForExit();
        lock (output)
            lock (error)
                return (p.ExitCode, output.ToString(), error.ToString());
    }
}
