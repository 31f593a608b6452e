using Npgsql;

namespace Ibex.Conflicts;

/// <summary>One query of a batch of conflict lookups: a local row (by key or by unique values), a key's tombstones, or a unique value's.</summary>
public sealed class ConflictLookup(NpgsqlBatchCommand command, ConflictLookupKind kind, Func<string, NpgsqlBatchCommand>? guard = null)
{
    public NpgsqlBatchCommand Command { get; } = command;

    public ConflictLookupKind Kind { get; } = kind;

    public bool IsTombstone => Kind != ConflictLookupKind.Row;

    /// <summary>The row found (row lookups), or null.</summary>
    public LocalRow? Result { get; set; }

    /// <summary>Tombstone lookups: one version per node that deleted the key, or whose version last held the value.</summary>
    public IReadOnlyList<RowVersion> Tombstones { get; set; } = [];

    /// <summary>
    /// Row lookups: a statement that locks the same row again inside the applying transaction and fails
    /// (<see cref="RowGuard"/>) unless it is still what this lookup found, so a decision made on a lookup read before
    /// the transaction began is never applied over a row that changed since.
    /// </summary>
    public NpgsqlBatchCommand? GuardCommand()
        => guard is null || IsTombstone ? null : guard(Result?.Xmin ?? RowGuard.Absent);
}
