using System.Runtime.CompilerServices;

namespace Ibex.Capture;

/// <summary>
/// Passes on the messages of a stream and, whenever none has arrived for an interval, a null: the cue for the task
/// reading the stream to tell idle consumers how far it has got. Markers are thus put in order by the one task that
/// produces everything else, never by a timer beside it.
/// </summary>
static class IdleTicks
{
    public static async IAsyncEnumerable<T?> WithTicksAsync<T>(IAsyncEnumerable<T> source, TimeSpan interval, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        using var timer = new PeriodicTimer(interval);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var messages = source.GetAsyncEnumerator(stop.Token);
        Task<bool>? move = null;
        Task<bool>? tick = null;
        try
        {
            while (true)
            {
                var next = messages.MoveNextAsync();
                bool more;
                if (next.IsCompleted)
                    more = await next.ConfigureAwait(false);
                else
                {
                    move = next.AsTask();
                    while (true)
                    {
                        tick ??= timer.WaitForNextTickAsync(stop.Token).AsTask();
                        if (await Task.WhenAny(move, tick).ConfigureAwait(false) == move)
                            break;
                        await tick.ConfigureAwait(false);
                        tick = null;
                        yield return null;
                    }
                    more = await move.ConfigureAwait(false);
                    move = null;
                }
                if (!more)
                    yield break;
                yield return messages.Current;
            }
        }
        finally
        {
            // Left early (the consumer failed during a tick): the pending read must end before the stream is closed.
            await stop.CancelAsync().ConfigureAwait(false);
            await Quietly(move).ConfigureAwait(false);
            await Quietly(tick).ConfigureAwait(false);
            await messages.DisposeAsync().ConfigureAwait(false);
        }
    }

    static async Task Quietly(Task? task)
    {
        if (task is null)
            return;
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or Npgsql.NpgsqlException or IOException or ObjectDisposedException)
        {
        }
    }
}
