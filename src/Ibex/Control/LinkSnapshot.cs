using NpgsqlTypes;

namespace Ibex.Control;

/// <summary>What the daemon reports about one link at one moment; counters are increments since the last report.</summary>
public sealed record LinkSnapshot(
    string Source,
    string Target,
    string State,
    string? Error,
    NpgsqlLogSequenceNumber Position,
    DateTime? LastCommitTimestamp,
    DateTime? LastAppliedAt,
    double? LagSeconds,
    long? LagBytes,
    long Inserts,
    long Updates,
    long Deletes,
    long Truncates,
    long Transactions);
