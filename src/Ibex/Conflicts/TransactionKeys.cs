using Ibex.Sql;

namespace Ibex.Conflicts;

/// <summary>
/// The keys the transaction being applied has decided, so a later change of the same row in it follows the first
/// decision (the lookups of a batch see the rows as they were before it).
/// </summary>
public sealed class TransactionKeys
{
    readonly Dictionary<(QualifiedName Table, string Key), KeyState> _keys = [];

    public void Clear() => _keys.Clear();

    public KeyState? this[QualifiedName table, string key] => _keys.TryGetValue((table, key), out var s) ? s : null;

    /// <summary>Whether a change of the key must be looked up: this transaction has not written it.</summary>
    public bool NeedsLookup(QualifiedName table, string key) => this[table, key] is null or KeyState.Kept;

    /// <summary>Records a decision for a key not decided yet in this transaction.</summary>
    public void SetIfUndecided(QualifiedName table, string key, KeyState state) => _keys.TryAdd((table, key), state);

    /// <summary>Records a decision; a row this transaction wrote or removed is not turned into a lost one.</summary>
    public void Set(QualifiedName table, string key, KeyState state)
    {
        if (state != KeyState.Kept || this[table, key] is null)
            _keys[(table, key)] = state;
    }
}
