using Ibex.Changes;

namespace Ibex.Conflicts;

/// <summary>What this node holds at one key, looked up once per batch: the row, and (for writes) its tombstones.</summary>
public sealed class KeyProbe(RelationInfo relation, string key, ConflictLookup row)
{
    public RelationInfo Relation { get; } = relation;

    public string Key { get; } = key;

    public ConflictLookup Row { get; } = row;

    public ConflictLookup? Tomb { get; set; }
}
