using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Ibex.Cli;
using Shouldly;

namespace Ibex.Tests.Packaging;

/// <summary>The .NET tool package: packed from the built CLI, installed into a temporary tool path, run from there.</summary>
public class ToolPackageTests
{
    [Fact]
    public async Task Packed_tool_installs_into_a_tool_path_and_prints_its_version()
    {
        var work = Directory.CreateTempSubdirectory("ibex-pack-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            var tools = Path.Combine(work.FullName, "tools");
            // Only the local feed: installing works offline, and never picks up a package of the same name elsewhere.
            var config = Path.Combine(work.FullName, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="ibex-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """, TestContext.Current.CancellationToken);

            // The CLI project was built with this test assembly (same configuration): pack it without building again.
            var project = Path.Combine(RepoRoot(), "src", "Ibex.Cli", "Ibex.Cli.csproj");
            await RunAsync("dotnet", ["pack", project, "-c", Configuration(), "--no-build", "-o", feed, "--nologo"], work.FullName);
            var version = typeof(IbexCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
            var package = Path.Combine(feed, $"Ibex.{version}.nupkg");
            File.Exists(package).ShouldBeTrue($"expected Ibex.{version}.nupkg in {feed}: {string.Join(", ", Directory.GetFiles(feed))}");
            ShouldCarryTheLicense(package);

            await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "Ibex", "--add-source", feed, "--configfile", config, "--version", version], work.FullName);
            var output = await RunAsync(Path.Combine(tools, "ibex"), ["--version"], work.FullName);
            output.Trim().ShouldStartWith(version);
            output.Trim().Split('\n').Length.ShouldBe(1);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The package declares the PostgreSQL License (an SPDX expression in the nuspec) and carries the LICENSE file.</summary>
    static void ShouldCarryTheLicense(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using (var stream = nuspec.Open())
        {
            var metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            var license = metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "license");
            license.ShouldNotBeNull("the nuspec has no <license>");
            license.Attribute("type")?.Value.ShouldBe("expression");
            license.Value.ShouldBe("PostgreSQL");
        }
        var file = zip.GetEntry("LICENSE");
        file.ShouldNotBeNull("the package has no LICENSE file");
        using var reader = new StreamReader(file.Open());
        var text = reader.ReadToEnd();
        text.ShouldContain("Copyright (c) 2026, Ibex developers", Case.Sensitive);
        text.ShouldContain("Permission to use, copy, modify, and distribute this software", Case.Sensitive);
    }

    static string Configuration()
        => AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Contains("Debug") ? "Debug" : "Release";

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ibex.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("repository root (Ibex.slnx) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs a program (bounded: 5 minutes) and returns its stdout; fails with both streams on a non-zero exit.</summary>
    static async Task<string> RunAsync(string program, string[] args, string workingDirectory)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await p.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(5));
        }
        catch (TimeoutException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        var output = await stdout;
        if (p.ExitCode != 0)
            throw new ShouldAssertException($"{program} {string.Join(' ', args)} exited {p.ExitCode}:\n{output}\n{await stderr}");
        return output;
    }
}
