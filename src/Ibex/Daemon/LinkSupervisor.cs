using Ibex.Apply;
using Ibex.Control;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Daemon;

/// <summary>
/// One link (source → target) inside a pipeline run: runs its applier; when it fails, takes it out of the stream
/// (<see cref="FailAsync"/>) and probes the target with the link's backoff until it accepts connections again, then
/// asks the pipeline to restart from the slot. The probe opens (and the supervisor closes) a
/// full apply session, so "back" means able to apply, not merely reachable.
/// </summary>
public sealed class LinkSupervisor(LinkRuntime link, Func<CancellationToken, Task<TargetApplier>> probeConnect, ControlDatabase control, string sync, ILogger log)
{
    public LinkRuntime Link => link;

    /// <summary>Applies until cancelled; after a failure, waits for the target and then completes <paramref name="restart"/>.</summary>
    public async Task RunAsync(TaskCompletionSource restart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(restart);
        var applier = link.Applier ?? throw new InvalidOperationException($"link to '{link.Link.Target}' has no applier");
        try
        {
            await applier.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Anything else is a bug, but it must not leave the link silently stopped: it is retried like a failure.
            var e = error as ApplyException ?? new ApplyException($"target '{link.Link.Target}': internal error: {error.GetType().Name}: {error.Message}", true, error);
            if (error is not ApplyException)
                log.LogError(error, "sync {Sync}: applier for {Target} failed", sync, link.Link.Target);
            await FailAsync(e).ConfigureAwait(false);
            await ReconnectLaterAsync(restart, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits (with backoff) until the target accepts a connection again, then completes <paramref name="restart"/> so
    /// the pipeline reads the stream again from the slot's position, which is no later than this target's.
    /// </summary>
    public async Task ReconnectLaterAsync(TaskCompletionSource restart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(restart);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var delay = link.Backoff.Next();
                log.LogInformation("sync {Sync}: retrying target {Target} in {Delay:0.0}s", sync, link.Link.Target, delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                try
                {
                    var probe = await probeConnect(cancellationToken).ConfigureAwait(false);
                    await probe.DisposeAsync().ConfigureAwait(false);
                    restart.TrySetResult();
                    return;
                }
                catch (ApplyException e)
                {
                    await FailAsync(e).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or IbexException)
                {
                    // Whatever went wrong, keep retrying: a link must never stay down because a probe failed oddly.
                    await FailAsync(new ApplyException($"target '{link.Link.Target}': {Errors.Describe(e)}", Errors.IsConnectionFailure(e), e)).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The one place a link failure is handled: counted once, recorded in <c>ibex.event</c> once per distinct error,
    /// and the failed applier taken out. Its queue is closed before it goes, so the reader (which may be putting an
    /// item into it right now) never waits on it.
    /// </summary>
    public async Task FailAsync(ApplyException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var old = link.Fail(e);
        if (old is not null)
        {
            old.Queue.Close();
            await old.DisposeAsync().ConfigureAwait(false);
        }
        if (e.LinkState is null)
            log.LogWarning("sync {Sync}: link {Source} -> {Target}: {Error}", sync, link.Link.Source, link.Link.Target, e.Message);
        else
            log.LogInformation("sync {Sync}: link {Source} -> {Target}: {State}", sync, link.Link.Source, link.Link.Target, e.Message);
        if (link.ErrorIsNew)
        {
            link.ErrorIsNew = false;
            try
            {
                using var teardown = Teardown.Bounded();
                await control.LogEventAsync(sync, link.Link.Target, e.LinkState is null ? "error" : "info", e.Message, teardown.Token).ConfigureAwait(false);
            }
            catch (Exception ce) when (ce is IbexException or Npgsql.NpgsqlException or OperationCanceledException)
            {
                log.LogWarning("could not record event: {Error}", ce.Message);
            }
        }
    }
}
