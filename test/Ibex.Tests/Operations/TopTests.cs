using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Operations;

public class TopTests(SharedClusters clusters)
{
    [Fact]
    public async Task Top_in_a_terminal_shows_every_link_live_in_colour_and_quits_cleanly_on_ctrl_c()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst1", "dst2");
        await s.ExecAllAsync("CREATE TABLE t (id bigint PRIMARY KEY, v int)");
        await s.AddNodesAsync();
        var sync = "top" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "t", "--source", "src", "--target", "dst1", "--target", "dst2")).ShouldSucceed();
        await using var daemon = DaemonProcess.Start(s.ControlDsn);
        await s.WaitAsync(sync);

        await using var terminal = await TerminalSession.StartIbexAsync(
            new Dictionary<string, string> { ["IBEX_CONTROL"] = s.ControlDsn, ["TERM"] = "xterm-256color" }, 180, 40, "top");
        var screen = await Poll.UntilAsync(() => terminal.ScreenAsync(), x => x.Contains("src -> dst2", StringComparison.Ordinal) && x.Contains("streaming", StringComparison.Ordinal), 60,
            x => $"screen:\n{x}\nexit {terminal.ExitCode}\n{daemon.Log}");
        screen.ShouldContain(sync);
        screen.ShouldContain("src -> dst1");
        foreach (var header in new[] { "STATE", "LAG", "ROWS/S", "COPY", "CONFLICTS/MIN", "LAST ERROR" })
            screen.ShouldContain(header);

        // Live: rows written now show up as a rate on a later screen, without restarting anything.
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 1; !stop.IsCancellationRequested && i < 100_000; i++)
            {
                await s.ExecAsync("src", "INSERT INTO t SELECT g, 0 FROM generate_series($1::bigint * 100, $1::bigint * 100 + 99) g", (long)i);
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);
        try
        {
            await Poll.UntilAsync(() => terminal.ScreenAsync(), x => RowsPerSecond(x, "src -> dst1") > 0, 60, x => $"screen:\n{x}\n{daemon.Log}");
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        // Colour: the terminal says it has 256 colours, so the states are drawn with SGR colour codes.
        var coloured = await terminal.ScreenAsync(escapes: true);
        coloured.ShouldContain("\u001b[");
        terminal.ExitCode.ShouldBeNull("ibex top ended by itself");

        // Ctrl+C from the terminal (SIGINT): a clean exit, code 0, and the shell's screen back (top drew on the alternate screen).
        await terminal.SendKeysAsync("C-c");
        var code = await Poll.UntilAsync(() => Task.FromResult(terminal.ExitCode), c => c is not null, 30, _ => "ibex top did not exit after Ctrl+C");
        code.ShouldBe(0);
        var after = await terminal.ScreenAsync();
        after.ShouldNotContain("ROWS/S");
        after.ShouldNotContain("interrupted");
        after.ShouldNotContain("error");
    }

    [Fact]
    public async Task Top_without_a_terminal_prints_plain_text_and_status_watch_refuses_json()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE t (id bigint PRIMARY KEY)");
        await s.AddNodesAsync();
        var sync = "tp" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "t", "--source", "src", "--target", "dst")).ShouldSucceed();

        var once = (await s.Ibex("top", "--once")).ShouldSucceed();
        once.Output.ShouldNotContain("\u001b");
        once.Output.ShouldContain("ROWS/S");
        once.Output.ShouldContain(sync);
        once.Output.ShouldContain("src -> dst");
        once.Output.ShouldContain("not started");

        (await s.Ibex("top", "nosuchsync", "--once")).ShouldFail("nosuchsync");
        (await s.Ibex("status", "--watch", "--json")).ShouldFail("--watch and --json");
    }

    static double RowsPerSecond(string screen, string link)
    {
        var line = screen.Split('\n').FirstOrDefault(l => l.Contains(link, StringComparison.Ordinal));
        if (line is null)
            return 0;
        // Columns: [sync] link state lag rows/s ...: the rate is the number after the lag.
        var words = line[(line.IndexOf(link, StringComparison.Ordinal) + link.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length > 2 && double.TryParse(words[2], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var rate) ? rate : 0;
    }
}
