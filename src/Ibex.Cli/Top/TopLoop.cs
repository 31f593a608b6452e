using Ibex.Control;
using Ibex.Monitoring;
using Npgsql;

namespace Ibex.Cli.Top;

/// <summary>
/// <c>ibex top</c> and <c>ibex status --watch</c>: reads the status every second (the same <see cref="StatusReader"/> as
/// <c>ibex status</c>) and redraws one screen on a terminal, or prints plain snapshots otherwise, until Ctrl+C.
/// A reading that fails after the first keeps the last screen and names the error; Ctrl+C is a clean exit (0).
/// </summary>
public static class TopLoop
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(CliContext context, ControlDatabase control, string? sync, bool once, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(control);
        var reader = new StatusReader(control);
        var rates = new StatusRates();
        // The first reading fails like ibex status does (no control database, unknown sync): nothing is drawn yet.
        var status = await reader.ReadAsync(sync, cancellationToken).ConfigureAwait(false);
        rates.Add(DateTime.UtcNow, status);
        using ITopScreen screen = context.Interactive && !once && TerminalScreen.TryOpen(context.Output) is { } terminal ? terminal : new PlainScreen(context.Output);
        string? problem = null;
        try
        {
            while (true)
            {
                var now = DateTime.UtcNow;
                screen.Show(now, TopView.Rows(status, rates, now), problem);
                if (once)
                    return 0;
                await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
                try
                {
                    status = await reader.ReadAsync(sync, cancellationToken).ConfigureAwait(false);
                    rates.Add(DateTime.UtcNow, status);
                    problem = null;
                }
                catch (Exception e) when (e is NpgsqlException or IbexException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    problem = "control database not readable, showing the last reading: " + IbexCli.OneLine(e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }
}
