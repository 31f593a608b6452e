using System.Diagnostics;
using System.Globalization;

namespace Ibex.Tests.Infrastructure;

/// <summary>
/// A command in a real pseudo-terminal: a tmux server of its own (its own socket), a window of a fixed size, keys sent
/// as a person types them (C-c is a real SIGINT from the terminal), the screen read back with capture-pane. When the
/// command ends, its exit code is written to a file, so the test can check how it ended.
/// </summary>
public sealed class TerminalSession : IAsyncDisposable
{
    readonly string _socket;
    readonly string _exitFile;

    TerminalSession(string socket, string exitFile)
    {
        _socket = socket;
        _exitFile = exitFile;
    }

    /// <summary>Starts <c>ibex ARGS</c> (the built CLI) with the environment given, in a COLUMNS × ROWS terminal.</summary>
    public static async Task<TerminalSession> StartIbexAsync(IReadOnlyDictionary<string, string> environment, int columns, int rows, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var socket = "ibex-test-" + Guid.NewGuid().ToString("N")[..12];
        var exitFile = Path.Combine(Path.GetTempPath(), socket + ".exit");
        var cli = Path.Combine(AppContext.BaseDirectory, "Ibex.Cli.dll");
        // The shell catches SIGINT (a handler, not an ignore, so the command gets the default back): Ctrl+C reaches the
        // command, and the shell lives on to record how it ended.
        var command = "trap : INT; " + string.Join(' ', new[] { "dotnet", cli }.Concat(args).Select(Quote))
            + $"; echo $? > {Quote(exitFile)}; sleep 600";
        List<string> tmux = ["new-session", "-d", "-x", columns.ToString(CultureInfo.InvariantCulture), "-y", rows.ToString(CultureInfo.InvariantCulture)];
        foreach (var (name, value) in environment)
            tmux.AddRange(["-e", $"{name}={value}"]);
        tmux.AddRange(["sh", "-c", command]);
        var session = new TerminalSession(socket, exitFile);
        await session.TmuxAsync([.. tmux]);
        return session;
    }

    /// <summary>The screen as text; with <paramref name="escapes"/>, with its colours as SGR escape codes.</summary>
    public Task<string> ScreenAsync(bool escapes = false) => TmuxAsync(escapes ? ["capture-pane", "-p", "-e"] : ["capture-pane", "-p"]);

    public async Task SendKeysAsync(params string[] keys) => await TmuxAsync(["send-keys", .. keys]);

    /// <summary>The command's exit code once it has ended, else null.</summary>
    public int? ExitCode => File.Exists(_exitFile) && File.ReadAllText(_exitFile).Trim() is { Length: > 0 } code ? int.Parse(code, CultureInfo.InvariantCulture) : null;

    async Task<string> TmuxAsync(string[] args)
    {
        var psi = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-L", _socket }.Concat(args))
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("TMUX");
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30));
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {await error}");
        return await output;
    }

    static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync(["kill-server"]);
        }
        catch (InvalidOperationException)
        {
        }
        File.Delete(_exitFile);
    }
}
