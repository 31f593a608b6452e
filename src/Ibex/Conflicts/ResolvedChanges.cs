using Ibex.Apply;
using Npgsql;

namespace Ibex.Conflicts;

/// <summary>What conflict resolution decided for a run of changes: the statements to send, in order, and the conflicts.</summary>
public sealed class ResolvedChanges
{
    public List<NpgsqlBatchCommand> Statements { get; } = [];

    public List<ConflictRecord> Conflicts { get; } = [];

    public TxnCounts Counts;
}
