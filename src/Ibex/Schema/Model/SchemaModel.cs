namespace Ibex.Schema.Model;

/// <summary>All objects of one database (within the chosen schemas) and what depends on what.</summary>
internal sealed class SchemaModel
{
    static readonly IReadOnlySet<string> None = new HashSet<string>();

    readonly Dictionary<string, HashSet<string>> _dependencies;
    readonly Dictionary<string, HashSet<string>> _dependents = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<string>> _children = new(StringComparer.Ordinal);

    public SchemaModel(IReadOnlyDictionary<string, SchemaObject> objects, Dictionary<string, HashSet<string>> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        Objects = objects;
        _dependencies = dependencies;
        foreach (var (key, refs) in dependencies)
            foreach (var r in refs)
            {
                if (!_dependents.TryGetValue(r, out var set))
                    _dependents[r] = set = new HashSet<string>(StringComparer.Ordinal);
                set.Add(key);
            }
        foreach (var o in objects.Values)
            if (o.ParentKey is { } parent)
            {
                if (!_children.TryGetValue(parent, out var list))
                    _children[parent] = list = [];
                list.Add(o.Key);
            }
    }

    public IReadOnlyDictionary<string, SchemaObject> Objects { get; }

    /// <summary>Extension versions the server can install, by extension name (what CREATE EXTENSION may ask for).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> AvailableExtensions { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Objects of kinds the diff does not handle (named in warnings, never skipped silently).</summary>
    public IReadOnlyList<string> Unsupported { get; init; } = [];

    /// <summary>The same model with some objects replaced by versions of the same key (dependencies unchanged).</summary>
    public SchemaModel With(IEnumerable<SchemaObject> replacements)
    {
        var objects = new Dictionary<string, SchemaObject>(Objects, StringComparer.Ordinal);
        foreach (var o in replacements)
            objects[o.Key] = o;
        return new SchemaModel(objects, _dependencies) { AvailableExtensions = AvailableExtensions, Unsupported = Unsupported };
    }

    public SchemaObject? Find(string key) => Objects.GetValueOrDefault(key);

    /// <summary>Keys this object needs to exist first (including its schema and parent).</summary>
    public IReadOnlySet<string> DependenciesOf(string key) => _dependencies.TryGetValue(key, out var s) ? s : None;

    /// <summary>Keys of objects that need this one.</summary>
    public IReadOnlySet<string> DependentsOf(string key) => _dependents.TryGetValue(key, out var s) ? s : None;

    /// <summary>Keys of objects whose <see cref="SchemaObject.ParentKey"/> is this one.</summary>
    public IReadOnlyList<string> ChildrenOf(string key) => _children.TryGetValue(key, out var l) ? l : [];
}
