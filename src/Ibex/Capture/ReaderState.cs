namespace Ibex.Capture;

/// <summary>Where a source reader is in the stream: used to decide when idle progress may be acknowledged.</summary>
public enum ReaderState
{
    Connecting,
    BetweenTransactions,
    InTransaction,
    Stopped,
}
