using System.Runtime.InteropServices;

namespace Ibex.Cli;

/// <summary>The process entry point: real console, SIGINT/SIGTERM as cancellation.</summary>
public static class CliApp
{
    public static async Task<int> MainAsync(string[] args)
    {
        using var cts = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        var context = new CliContext(Console.Out, Console.Error) { Interactive = !Console.IsOutputRedirected };
        return await IbexCli.RunAsync(args, context, cts.Token).ConfigureAwait(false);

        void Cancel(PosixSignalContext signal)
        {
            // Let the command shut down cleanly; a second signal falls through to the default (terminate).
            if (!cts.IsCancellationRequested)
            {
                signal.Cancel = true;
                cts.Cancel();
            }
        }
    }
}
