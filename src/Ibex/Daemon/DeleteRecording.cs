using Ibex.Capture;
using Ibex.Conflicts;
using Microsoft.Extensions.Logging;

namespace Ibex.Daemon;

/// <summary>
/// Multi-master, while a node's tables are being copied out (before its stream runs): a reader of the node's slot that
/// feeds only its <see cref="TombstoneRecorder"/>, so the node's own deletes are recorded and other nodes' appliers
/// into it can decide changes of deleted rows. It acknowledges nothing: the stream that follows the copy reads the
/// same changes again from the slot (recording a delete twice is harmless). A failure is logged and ends the
/// recording (the appliers then wait for the stream's own recorder, as without it); disposing stops it.
/// </summary>
public sealed class DeleteRecording : IAsyncDisposable
{
    readonly CancellationTokenSource _stop;
    readonly SlotReader _reader;
    readonly TombstoneRecorder _recorder;
    readonly Task _run;

    DeleteRecording(SlotReader reader, TombstoneRecorder recorder, ILogger log, CancellationToken cancellationToken)
    {
        _reader = reader;
        _recorder = recorder;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _run = RunAsync(log, _stop.Token);
    }

    /// <summary>Connects the recorder and starts reading the slot in the background.</summary>
    public static async Task<DeleteRecording> StartAsync(SlotReader reader, TombstoneRecorder recorder, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        await recorder.ConnectAsync(cancellationToken).ConfigureAwait(false);
        return new DeleteRecording(reader, recorder, log, cancellationToken);
    }

    async Task RunAsync(ILogger log, CancellationToken cancellationToken)
    {
        Task[] parts =
        [
            _recorder.RunAsync(cancellationToken),
            _reader.RunAsync(default, (item, ct) => _recorder.Queue.EnqueueAsync(item, ct), cancellationToken),
        ];
        // The first part to end (a failure, or the stop) is reported at once; the other ends at the stop.
        await Task.WhenAny(parts).ConfigureAwait(false);
        foreach (var part in parts.OrderBy(p => p.IsCompleted ? 0 : 1))
        {
            try
            {
                await part.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                log.LogWarning("recording the deletes of the node being copied stopped until its stream starts: {Error}", Errors.Describe(e));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _recorder.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
