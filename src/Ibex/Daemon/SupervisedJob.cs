using Ibex.Control;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Daemon;

/// <summary>
/// Runs one background part of a sync (kick runner, retention guard, multi-master coordinator) until cancelled. A
/// failure never ends it silently: it is logged, written to <c>ibex.event</c> (so <c>ibex status</c> shows it), and the
/// part starts again after a backoff.
/// </summary>
public sealed class SupervisedJob(string sync, string name, Func<CancellationToken, Task> body, ControlDatabase control, ILogger log)
{
    readonly Backoff _backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    long _failures;

    public string Name => name;

    /// <summary>How many times the part failed and was started again.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            try
            {
                await body(cancellationToken).ConfigureAwait(false);
                return; // done by itself (nothing to do for this sync)
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _failures);
                // A part that ran a good while before failing is not in a failure loop: start the waits over.
                if (DateTime.UtcNow - started > TimeSpan.FromMinutes(1))
                    _backoff.Reset();
                var delay = _backoff.Next();
                var message = $"{name} failed: {(e is IbexException ? e.Message : Errors.Describe(e))}; restarting it in {delay.TotalSeconds:0.0}s";
                log.LogError(e, "sync {Sync}: {Message}", sync, message);
                await RecordAsync(message).ConfigureAwait(false);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    async Task RecordAsync(string message)
    {
        try
        {
            using var teardown = Teardown.Bounded();
            await control.LogEventAsync(sync, null, "error", message, teardown.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IbexException or NpgsqlException or IOException or TimeoutException or OperationCanceledException)
        {
            log.LogWarning("sync {Sync}: could not record event: {Error}", sync, e.Message);
        }
    }
}
