using Ibex.Control;
using Ibex.Control.Model;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Daemon;

/// <summary>
/// The daemon (<c>ibex run</c>): keeps one <see cref="SyncRunner"/> per active sync, and applies configuration changes
/// (sync added, paused, resumed, removed, altered) within seconds — woken by NOTIFY on the control database, with
/// polling as the fallback. One failing sync never stops the others.
/// </summary>
public sealed class Supervisor(ControlDatabase control, DaemonOptions options, ILoggerFactory loggers)
{
    readonly ILogger _log = loggers.CreateLogger("Ibex.Daemon");
    readonly Dictionary<string, (SyncRunner Runner, CancellationTokenSource Cts, Task Task, long Version)> _running = [];
    readonly SemaphoreSlim _wake = new(0);
    readonly HashSet<string> _pausedMarked = [];

    /// <summary>Runners currently started (for status pages and metrics).</summary>
    public IReadOnlyList<SyncRunner> Runners
    {
        get
        {
            lock (_running)
                return [.. _running.Values.Select(r => r.Runner)];
        }
    }

    public DateTime StartedAt { get; } = DateTime.UtcNow;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await control.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        _log.LogInformation("ibex daemon started; control database {Control}", control.Description);
        var listener = ListenAsync(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await ReconcileAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IbexException or NpgsqlException && !cancellationToken.IsCancellationRequested)
                {
                    _log.LogWarning("cannot read the configuration: {Error}", e is IbexException ? e.Message : Errors.Describe(e));
                }
                try
                {
                    await _wake.WaitAsync(options.PollInterval, cancellationToken).ConfigureAwait(false);
                    while (_wake.Wait(0))
                    {
                        // Coalesce bursts of notifications.
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            List<Task> stopping;
            lock (_running)
            {
                foreach (var r in _running.Values)
                    r.Cts.Cancel();
                stopping = [.. _running.Values.Select(r => r.Task)];
            }
            await Task.WhenAll(stopping).ConfigureAwait(false);
            lock (_running)
            {
                foreach (var r in _running.Values)
                    r.Cts.Dispose();
                _running.Clear();
            }
            try
            {
                await listener.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            _log.LogInformation("ibex daemon stopped");
        }
    }

    async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var syncs = await new SyncStore(control).ListAsync(cancellationToken).ConfigureAwait(false);
        var nodes = (await new NodeStore(control).ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(n => n.Name);
        var wanted = syncs.Where(s => options.Syncs.Count == 0 || options.Syncs.Contains(s.Name)).ToList();
        foreach (var missing in options.Syncs.Where(n => syncs.All(s => s.Name != n)))
            _log.LogWarning("sync {Sync} given with --sync does not exist (yet)", missing);

        List<(string Name, CancellationTokenSource Cts, Task Task)> toStop = [];
        lock (_running)
        {
            foreach (var (name, r) in _running)
            {
                var current = wanted.FirstOrDefault(s => s.Name == name);
                if (current is null || !current.Enabled || current.ConfigVersion != r.Version)
                    toStop.Add((name, r.Cts, r.Task));
            }
        }
        foreach (var (name, cts, task) in toStop)
        {
            _log.LogInformation("stopping sync {Sync}", name);
            await cts.CancelAsync().ConfigureAwait(false);
            await task.ConfigureAwait(false);
            cts.Dispose();
            lock (_running)
                _running.Remove(name);
        }
        foreach (var sync in wanted)
        {
            if (!sync.Enabled)
            {
                if (_pausedMarked.Add(sync.Name))
                    await new StatusStore(control).SetStateAsync(sync.Name, "paused", cancellationToken).ConfigureAwait(false);
                continue;
            }
            _pausedMarked.Remove(sync.Name);
            lock (_running)
                if (_running.ContainsKey(sync.Name))
                    continue;
            Start(sync, nodes);
        }
    }

    void Start(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes)
    {
        var cts = new CancellationTokenSource();
        var runner = new SyncRunner(sync, nodes, control, options, loggers);
        var task = Task.Run(async () =>
        {
            try
            {
                await runner.RunAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A bug in one sync must not take the daemon down; it is restarted at the next reconcile.
                _log.LogError(e, "sync {Sync} stopped unexpectedly", sync.Name);
                lock (_running)
                    _running.Remove(sync.Name);
            }
        });
        lock (_running)
            _running[sync.Name] = (runner, cts, task, sync.ConfigVersion);
    }

    async Task ListenAsync(CancellationToken cancellationToken)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                conn.Notification += (_, _) => _wake.Release();
                await using (var cmd = new NpgsqlCommand($"LISTEN {ControlDatabase.ConfigChannel}", conn))
                    await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                backoff.Reset();
                while (true)
                    await conn.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IbexException or NpgsqlException or IOException)
            {
                _log.LogDebug("LISTEN connection lost: {Error}; polling meanwhile", e.Message);
                try
                {
                    await Task.Delay(backoff.Next(), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
