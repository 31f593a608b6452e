using Ibex.Schema.Diffing;
using Ibex.Schema.Model;

namespace Ibex.Schema.Planning;

/// <summary>The state of every object the script touches; objects not in it stay as they are.</summary>
internal sealed class ChangeSet
{
    readonly Dictionary<string, ObjectState> _states = new(StringComparer.Ordinal);
    readonly Dictionary<string, AlterResult> _alters = new(StringComparer.Ordinal);
    readonly Dictionary<string, SchemaModel> _sources = new(StringComparer.Ordinal);
    readonly HashSet<string> _renamed = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, ObjectState> States => _states;

    public ObjectState? StateOf(string key) => _states.TryGetValue(key, out var s) ? s : null;

    /// <summary>Removed or replaced: the object's DROP runs (or its parent's takes it along).</summary>
    public bool IsDropped(string key) => StateOf(key) is ObjectState.Removed or ObjectState.Replaced;

    /// <summary>Added or replaced: the script creates the object, empty.</summary>
    public bool IsCreated(string key) => StateOf(key) is ObjectState.Added or ObjectState.Replaced;

    public AlterResult AlterOf(string key) => _alters[key];

    /// <summary>The model whose definition an added or replaced object is created from.</summary>
    public SchemaModel SourceOf(string key) => _sources[key];

    public void Add(string key, SchemaModel source)
    {
        _states[key] = ObjectState.Added;
        _sources[key] = source;
    }

    public void Remove(string key)
    {
        _states[key] = ObjectState.Removed;
        _alters.Remove(key);
    }

    public void Replace(string key, SchemaModel source)
    {
        _states[key] = ObjectState.Replaced;
        _sources[key] = source;
        _alters.Remove(key);
    }

    public void Alter(string key, AlterResult alter)
    {
        _states[key] = ObjectState.Altered;
        _alters[key] = alter;
    }

    public void ResetDefault(string key) => _states[key] = ObjectState.DefaultReset;

    /// <summary>Converts a column to the recreated type <paramref name="typeKey"/>, which is renamed rather than dropped first.</summary>
    public void Convert(string key, string typeKey)
    {
        _states[key] = ObjectState.Converted;
        _alters.Remove(key);
        _renamed.Add(typeKey);
    }

    /// <summary>True for a replaced type that is renamed out of the way (its columns are converted) before it is dropped.</summary>
    public bool IsRenamed(string key) => _renamed.Contains(key) && StateOf(key) == ObjectState.Replaced;
}
