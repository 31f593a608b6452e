namespace Ibex.Changes;

/// <summary>
/// The daemon runs socket continuations on the socket engine's thread instead of hopping to the thread pool for every
/// network event (.NET's <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>). Measured on W2 (many small
/// transactions): about a quarter less daemon CPU and lag in milliseconds instead of seconds. It is safe only because
/// every loop of the data path that can run without awaiting yields its thread regularly (<see cref="CooperativeYield"/>);
/// without that, a reader whose data is always ready kept the engine thread and starved the appliers' COPY.
/// </summary>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns them on for this process unless the environment already decides (<c>0</c> turns them off). Must run before
    /// the first socket is opened: .NET reads the variable once, when its socket engine starts.
    /// </summary>
    public static void EnableUnlessSet()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
            Environment.SetEnvironmentVariable(Variable, "1");
    }

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";
}
