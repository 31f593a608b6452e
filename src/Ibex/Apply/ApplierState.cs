namespace Ibex.Apply;

/// <summary>What one target's applier is doing; shown by <c>ibex status</c> per link.</summary>
public enum ApplierState
{
    Connecting,
    Copying,
    Streaming,
    /// <summary>The target cannot be reached; retried with backoff while the other targets go on.</summary>
    Down,
    /// <summary>Applying failed (constraint, missing table...); retried with backoff, the message says what to fix.</summary>
    Error,
}
