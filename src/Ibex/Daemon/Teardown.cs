namespace Ibex.Daemon;

/// <summary>
/// A token for the last words of a part that is stopping or failing (a final status, an event, a last flush): the
/// part's own token may already be cancelled, but a control database or node that stopped answering must not hold the
/// stop up for longer than <see cref="Limit"/>.
/// </summary>
public static class Teardown
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    /// <summary>A token source that cancels after <see cref="Limit"/>; dispose it.</summary>
    public static CancellationTokenSource Bounded() => new(Limit);
}
