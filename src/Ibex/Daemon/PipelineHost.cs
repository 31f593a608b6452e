namespace Ibex.Daemon;

/// <summary>Starts and stops one <see cref="SourcePipeline"/> on demand (kick mode, slot replacement).</summary>
public sealed class PipelineHost(SourcePipeline pipeline)
{
    CancellationTokenSource? _cts;
    Task _task = Task.CompletedTask;

    public SourcePipeline Pipeline => pipeline;

    public bool Running => !_task.IsCompleted;

    public void Start(CancellationToken stopping)
    {
        if (Running)
            return;
        _cts?.Dispose();
        _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var token = _cts.Token;
        _task = Task.Run(() => pipeline.RunAsync(token), CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (_cts is null)
            return;
        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await _task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
