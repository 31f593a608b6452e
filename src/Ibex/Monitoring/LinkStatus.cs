namespace Ibex.Monitoring;

/// <summary>One link of a sync as <c>ibex status</c> shows it.</summary>
public sealed record LinkStatus(
    string Source,
    string Target,
    string State,
    string? Error,
    DateTime? ErrorAt,
    string? PositionLsn,
    DateTime? LastCommitTimestamp,
    DateTime? LastAppliedAt,
    double? LagSeconds,
    long? LagBytes,
    long Inserts,
    long Updates,
    long Deletes,
    long Truncates,
    long Transactions,
    DateTime? UpdatedAt,
    CopyProgress? Copy)
{
    public long RowsApplied => Inserts + Updates + Deletes;
}
