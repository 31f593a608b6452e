namespace Ibex.Daemon;

/// <summary>
/// Starts and stops one <see cref="SourcePipeline"/> on demand (kick mode, slot replacement). It is the only owner of
/// the pipeline's task and token: the kick runner and the retention guard drive it from different tasks, so every
/// change of state goes through one lock, and work that needs the pipeline stopped puts back the state it found.
/// </summary>
public sealed class PipelineHost(SourcePipeline pipeline)
{
    readonly SemaphoreSlim _lock = new(1, 1);
    CancellationTokenSource? _cts;
    Task _task = Task.CompletedTask;
    CancellationToken _stopping;

    public SourcePipeline Pipeline => pipeline;

    public PipelineHostState State => Volatile.Read(ref _task).IsCompleted ? PipelineHostState.Stopped : PipelineHostState.Running;

    /// <summary>Runs the pipeline until <see cref="StopAsync"/> or <paramref name="stopping"/>; does nothing if it runs.</summary>
    public async Task StartAsync(CancellationToken stopping)
    {
        await _lock.WaitAsync(stopping).ConfigureAwait(false);
        try
        {
            StartLocked(stopping);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task StopAsync()
    {
        await _lock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await StopLocked().ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> with the pipeline stopped, then leaves it as it was: running again if it ran (with
    /// the token it was started with), stopped if it was stopped (a kick-mode sync between kicks stays idle).
    /// </summary>
    public async Task WhileStoppedAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var was = State;
            await StopLocked().ConfigureAwait(false);
            try
            {
                await work(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (was == PipelineHostState.Running && !_stopping.IsCancellationRequested)
                    StartLocked(_stopping);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    void StartLocked(CancellationToken stopping)
    {
        if (State == PipelineHostState.Running)
            return;
        _cts?.Dispose();
        _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _stopping = stopping;
        var token = _cts.Token;
        Volatile.Write(ref _task, Task.Run(() => pipeline.RunAsync(token), CancellationToken.None));
    }

    async Task StopLocked()
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
