namespace Ibex.Apply;

/// <summary>Applying to one target failed. <see cref="TargetUnreachable"/> says whether the target is down (retry
/// soon) or rejected a change (the message tells the operator what to fix).</summary>
public sealed class ApplyException : Exception
{
    public ApplyException() { }

    public ApplyException(string message) : base(message) { }

    public ApplyException(string message, Exception innerException) : base(message, innerException) { }

    public ApplyException(string message, bool targetUnreachable, Exception? innerException = null) : base(message, innerException)
        => TargetUnreachable = targetUnreachable;

    public bool TargetUnreachable { get; }

    /// <summary>The link's state while it waits for something that is not a failure (<c>copying</c>: a joining node's copy from another source); null for a failure.</summary>
    public string? LinkState { get; init; }
}
