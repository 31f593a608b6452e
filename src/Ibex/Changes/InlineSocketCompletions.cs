namespace Ibex.Changes;

/// <summary>
/// .NET's inline socket completions (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> in the environment of
/// <c>ibex run</c>): a network event continues the awaiting reader or applier on the socket engine's thread instead of
/// hopping to the thread pool. Measured on W2 (many small transactions): about half the daemon's CPU per transaction.
/// Opt-in, not the default: under heavy CPU load a daemon that lost its lock took up to 10 s instead of under 5 s to
/// stop its syncs with them on (StandbyDaemonTests), for a cause not found yet. The data path is ready for them: every
/// loop that can run without awaiting yields its thread regularly (<see cref="CooperativeYield"/>), and no synchronous
/// I/O runs on the data path (a synchronous read on the engine's own thread waits for itself: the daemon froze).
/// </summary>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Whether this process runs with them (.NET reads the variable once, when its socket engine starts).</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";
}
