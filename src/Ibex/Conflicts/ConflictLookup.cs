using Npgsql;

namespace Ibex.Conflicts;

/// <summary>One query of a batch of conflict lookups: a local row (by key or by unique values), a key's tombstones, or a unique value's.</summary>
public sealed class ConflictLookup(NpgsqlBatchCommand command, ConflictLookupKind kind, Func<string, NpgsqlBatchCommand>? guard = null)
{
    public NpgsqlBatchCommand Command { get; } = command;

    public ConflictLookupKind Kind { get; } = kind;

    public bool IsTombstone => Kind is ConflictLookupKind.Tombstone or ConflictLookupKind.ValueTombstone or ConflictLookupKind.Seen;

    /// <summary>The row found (row lookups), or null.</summary>
    public LocalRow? Result { get; set; }

    /// <summary>Tombstone lookups: one version per node that deleted the key, or whose version last held the value.</summary>
    public IReadOnlyList<RowVersion> Tombstones { get; set; } = [];

    /// <summary>
    /// Where the lookup's lock falls in the one order every lookup batch and every guard takes locks in (value locks,
    /// then rows, each by table and values); null for a read that locks nothing. Taken in the order changes came,
    /// two appliers into one node locked the same hot rows in opposite orders and waited on each other until
    /// PostgreSQL's deadlock check broke the cycle a second later.
    /// </summary>
    public string? LockOrder { get; init; }

    /// <summary>The lookups with their locks first, in <see cref="LockOrder"/>, then the reads in the order given.</summary>
    public static List<ConflictLookup> InLockOrder(IEnumerable<ConflictLookup> lookups)
    {
        var list = lookups.ToList();
        return [.. list.Where(l => l.LockOrder is not null).OrderBy(l => l.LockOrder, StringComparer.Ordinal), .. list.Where(l => l.LockOrder is null)];
    }

    /// <summary>Key tombstone lookups: the lock its guard takes first when the key was found absent.</summary>
    public Func<NpgsqlBatchCommand>? KeyLock { get; init; }

    /// <summary>Tombstone lookups: the versions found, as text the guard compares.</summary>
    public string Fingerprint { get; set; } = "";

    /// <summary>
    /// A statement for the applying transaction, so a decision made on a lookup read before that transaction began is
    /// never applied over data that changed since: row lookups lock the same row again and fail (<see cref="RowGuard"/>)
    /// unless it is still what the lookup found; value locks are taken again; value tombstone lookups fail the same way
    /// unless the value's tombstones are unchanged, and seen lookups unless the key's seen times are. Key tombstones:
    /// see <see cref="ConflictPlan.Guards"/>.
    /// </summary>
    public NpgsqlBatchCommand? GuardCommand() => Kind switch
    {
        ConflictLookupKind.Row => guard?.Invoke(Result?.Xmin ?? RowGuard.Absent),
        _ => guard?.Invoke(Fingerprint),
    };
}
