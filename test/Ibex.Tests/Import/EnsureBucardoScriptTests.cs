using System.Diagnostics;
using Shouldly;

namespace Ibex.Tests.Import;

/// <summary>
/// scripts/ensure-bucardo.sh when apt fails: run with PATH holding only a stub <c>apt-get</c> that fails the way a
/// held postgresql-15 makes it fail (and stubs for <c>id</c> and <c>apt-mark</c>, so the machine is never changed),
/// plus links to the real tools the script uses.
/// </summary>
public class EnsureBucardoScriptTests
{
    const string AptError = """
        Some packages could not be installed. This may mean that you have
        requested an impossible situation.
        The following packages have unmet dependencies:
         postgresql-plperl-15 : Depends: postgresql-15 (= 15.15-1.pgdg13+1) but 15.14-1.pgdg13+1 is to be installed
        E: Unable to correct problems, you have held broken packages.
        """;

    [Fact]
    public async Task A_failing_apt_get_install_is_shown_with_apts_own_error_lines()
    {
        var bin = Directory.CreateTempSubdirectory("ibex-fake-apt-");
        try
        {
            Stub(bin, "id", "echo 0");
            Stub(bin, "apt-mark", "exit 0");
            Stub(bin, "apt-get", $"""
                case "$1" in
                  update) exit 0 ;;
                  install) cat >&2 <<'APT'
                {AptError}
                APT
                    exit 100 ;;
                esac
                exit 1
                """);
            foreach (var tool in new[] { "ls", "grep", "sed", "tail", "mktemp", "rm", "cat", "dpkg-query" })
                if (RealTool(tool) is { } real)
                    File.CreateSymbolicLink(Path.Combine(bin.FullName, tool), real);

            var (code, stderr) = await RunAsync(BucardoControl.FindScript("scripts/ensure-bucardo.sh")!, bin.FullName);

            code.ShouldBe(0, "the script never fails the run by itself");
            stderr.ShouldContain("apt-get install", Case.Sensitive);
            stderr.ShouldContain("failed (exit 100)", Case.Sensitive);
            stderr.ShouldContain("postgresql-plperl-15 : Depends: postgresql-15 (= 15.15-1.pgdg13+1)", Case.Sensitive);
            stderr.ShouldContain("E: Unable to correct problems, you have held broken packages.", Case.Sensitive);
            stderr.ShouldContain("Bucardo import tests will be skipped", Case.Sensitive);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    static void Stub(DirectoryInfo bin, string name, string body)
    {
        var path = Path.Combine(bin.FullName, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    static string? RealTool(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    static async Task<(int Code, string Stderr)> RunAsync(string script, string path)
    {
        var psi = new ProcessStartInfo(RealTool("bash") ?? "/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.Environment["PATH"] = path;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1));
        await stdout;
        return (p.ExitCode, await stderr);
    }
}
