namespace Ibex.Monitoring;

/// <summary>How much WAL one Ibex slot holds back on its source, as that source reports it.</summary>
/// <param name="Sync">The sync owning the slot.</param>
/// <param name="Source">The source node.</param>
/// <param name="Slot">The slot name.</param>
/// <param name="RetainedBytes">pg_current_wal_lsn() - confirmed_flush_lsn; null when unknown.</param>
/// <param name="Active">Whether a daemon is reading the slot now.</param>
/// <param name="WalStatus">pg_replication_slots.wal_status (reserved, extended, unreserved, lost).</param>
/// <param name="Error">Why the numbers are missing: the node cannot be reached, or the slot does not exist.</param>
public sealed record SlotUsage(string Sync, string Source, string Slot, long? RetainedBytes, bool Active, string? WalStatus, string? Error);
