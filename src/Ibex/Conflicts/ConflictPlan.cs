using Ibex.Apply;
using Ibex.Changes;
using Ibex.Sql;

namespace Ibex.Conflicts;

/// <summary>
/// One transaction's remote changes (or a run of a long one) with the lookups their decisions need, planned by
/// <see cref="ConflictApplier.PlanAsync"/> and filled in by <see cref="ConflictApplier.LookupAsync"/>.
/// </summary>
public sealed class ConflictPlan
{
    public List<ConflictWork> Work { get; } = [];

    public List<ConflictLookup> Lookups { get; } = [];

    public Dictionary<(QualifiedName Table, string Key), KeyProbe> Probes { get; } = [];

    /// <summary>
    /// Every key and unique value the lookups read, as text: two transactions whose footprints meet cannot be decided
    /// on lookups made together, since the second must see what the first wrote.
    /// </summary>
    public HashSet<string> Footprint { get; } = new(StringComparer.Ordinal);

    /// <summary>Probes of rows found absent whose tombstones were looked up: a delete not yet recorded could be there.</summary>
    public IEnumerable<KeyProbe> Unsure => Probes.Values.Where(p => p.Tomb is not null && p.Row.Result is null);

    public static string FootprintOf(QualifiedName table, string what) => table.Quoted + "\u0001" + what;

    /// <summary>
    /// The statements that check, in the applying transaction, that each row and value looked up is as it was read. A
    /// key found absent has no row to lock: its key lock comes first, then the row's guard and one on its tombstones
    /// (another applier may have recorded a delete of it, or written it, since). Locks in <see cref="ConflictLookup.LockOrder"/>.
    /// Reads that lock nothing come after every lock: a key's seen times (<see cref="TombstoneSql.SeenGuard"/>) are
    /// written only by appliers holding its row's lock or its key lock, so its guard then sees what they committed.
    /// </summary>
    public IEnumerable<Npgsql.NpgsqlBatchCommand> Guards()
    {
        var absent = Probes.Values.Where(p => p.Tomb?.KeyLock is not null && p.Row.Result is null).ToDictionary(p => p.Row, p => p);
        foreach (var l in ConflictLookup.InLockOrder(Lookups))
        {
            if (l.Kind == ConflictLookupKind.Tombstone)
                continue;
            var probe = absent.GetValueOrDefault(l);
            if (probe is not null)
                yield return probe.Tomb!.KeyLock!();
            if (l.GuardCommand() is { } guard)
                yield return guard;
            if (probe is not null && probe.Tomb!.GuardCommand() is { } tombs)
                yield return tombs;
        }
    }
}
