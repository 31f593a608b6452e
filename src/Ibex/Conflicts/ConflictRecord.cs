using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>One conflict as the conflict log keeps it.</summary>
public sealed record ConflictRecord(
    string Sync,
    string Schema,
    string Table,
    string KeyJson,
    ConflictKind Kind,
    string Node,
    string? LocalOrigin,
    string RemoteOrigin,
    string? LocalRowJson,
    string? RemoteRowJson,
    DateTime? LocalCommitTimestamp,
    DateTime? RemoteCommitTimestamp,
    string Strategy,
    string Winner,
    NpgsqlLogSequenceNumber RemoteCommitLsn,
    bool Resolved = true);
