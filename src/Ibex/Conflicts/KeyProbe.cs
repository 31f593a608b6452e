using Ibex.Changes;

namespace Ibex.Conflicts;

/// <summary>
/// What this node holds at one key, looked up once per batch: the row, (for writes) its tombstones, and (with three
/// sources or more) what the writers of the versions that reached this node had seen.
/// </summary>
public sealed class KeyProbe(RelationInfo relation, string key, ConflictLookup row)
{
    public RelationInfo Relation { get; } = relation;

    public string Key { get; } = key;

    public ConflictLookup Row { get; } = row;

    public ConflictLookup? Tomb { get; set; }

    public ConflictLookup? Seen { get; set; }
}
