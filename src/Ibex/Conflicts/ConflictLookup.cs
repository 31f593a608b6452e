using Npgsql;

namespace Ibex.Conflicts;

/// <summary>One query of a batch of conflict lookups: a local row (by key or by unique values), or a key's tombstones.</summary>
public sealed class ConflictLookup(NpgsqlBatchCommand command, bool isTombstone)
{
    public NpgsqlBatchCommand Command { get; } = command;

    public bool IsTombstone { get; } = isTombstone;

    /// <summary>The row found (row lookups), or null.</summary>
    public LocalRow? Result { get; set; }

    /// <summary>One version per node that deleted the key (tombstone lookups).</summary>
    public IReadOnlyList<RowVersion> Tombstones { get; set; } = [];
}
