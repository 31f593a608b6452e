using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>What <see cref="ProgressTracker"/> decided: acknowledge <paramref name="Lsn"/>, saving the reader's view first if asked.</summary>
public readonly record struct AckDecision(NpgsqlLogSequenceNumber Lsn, bool SaveSeenFirst);
