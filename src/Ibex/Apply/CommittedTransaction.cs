using Ibex.Conflicts;
using NpgsqlTypes;

namespace Ibex.Apply;

/// <summary>A source transaction whose COMMIT is in an <see cref="ApplyBatch"/>: what to count and report once the target has it.</summary>
public readonly record struct CommittedTransaction(NpgsqlLogSequenceNumber EndLsn, DateTime CommitTimestamp, TxnCounts Counts, List<ConflictRecord> Conflicts);
