using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ibex.Tests.Infrastructure;

/// <summary>
/// <c>ibex run</c> as a real child process (the built CLI next to the test assembly), for tests that kill it with
/// SIGKILL or measure its memory. Its output is kept for failure messages.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _log;

    DaemonProcess(Process process, StringBuilder log)
    {
        _process = process;
        _log = log;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public static DaemonProcess Start(string controlDsn, StringBuilder? sharedLog = null, params string[] extraArgs)
        => Start(new Dictionary<string, string?> { ["IBEX_CONTROL"] = controlDsn }, sharedLog, extraArgs);

    /// <summary>Starts <c>ibex run</c> with these environment variables set (a null value removes one).</summary>
    public static DaemonProcess Start(IReadOnlyDictionary<string, string?> environment, StringBuilder? sharedLog = null, params string[] extraArgs)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var cli = Path.Combine(AppContext.BaseDirectory, "Ibex.Cli.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(cli);
        psi.ArgumentList.Add("run");
        foreach (var a in extraArgs)
            psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
        {
            if (value is null)
                psi.Environment.Remove(name);
            else
                psi.Environment[name] = value;
        }
        psi.Environment["DOTNET_gcServer"] = "0";
        var log = sharedLog ?? new StringBuilder();
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => Append(log, e.Data);
        p.ErrorDataReceived += (_, e) => Append(log, e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new DaemonProcess(p, log);
    }

    static void Append(StringBuilder log, string? line)
    {
        if (line is null)
            return;
        lock (log)
            log.AppendLine(line);
    }

    /// <summary>SIGKILL: no chance to clean up, like a crash or the OOM killer.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, then wait for a clean exit; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30));
        }
        return _process.ExitCode;
    }

    /// <summary>Peak resident memory (VmHWM) so far, in bytes.</summary>
    public long PeakRssBytes()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        var line = status.First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kb * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
