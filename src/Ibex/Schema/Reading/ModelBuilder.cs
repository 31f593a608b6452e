using Ibex.Schema.Model;

namespace Ibex.Schema.Reading;

/// <summary>
/// Collects objects while the readers run, with the catalog addresses that name them, then turns pg_depend rows
/// (address to address) into dependencies between object keys.
/// </summary>
internal sealed class ModelBuilder
{
    readonly Dictionary<string, SchemaObject> _objects = new(StringComparer.Ordinal);
    readonly Dictionary<ObjectAddress, string> _registered = [];
    readonly Dictionary<ObjectAddress, ObjectAddress> _aliases = [];
    readonly Dictionary<ObjectAddress, (string Key, string Display, string Target)> _commentTargets = [];
    readonly Dictionary<ObjectAddress, uint> _extensionMembers = [];
    readonly HashSet<ObjectAddress> _sequences = [];
    readonly List<(ObjectAddress From, ObjectAddress To)> _addressDependencies = [];
    readonly List<(string From, string To)> _keyDependencies = [];
    readonly List<(string From, ObjectAddress To)> _mixedDependencies = [];

    public bool Contains(string key) => _objects.ContainsKey(key);

    public Dictionary<string, IReadOnlyList<string>> AvailableExtensions { get; } = new(StringComparer.Ordinal);

    public IEnumerable<string> AllKeys => _objects.Keys;

    /// <summary>Objects of kinds the diff does not handle, as <c>pg_describe_object</c> names them.</summary>
    public List<string> Unsupported { get; } = [];

    public SchemaObject? Find(string key) => _objects.GetValueOrDefault(key);

    /// <summary>Adds an object found at <paramref name="address"/> (its comment target too).</summary>
    public void Add(SchemaObject obj, ObjectAddress? address = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        _objects[obj.Key] = obj;
        if (address is { } a)
        {
            _registered[a] = obj.Key;
            if (obj.CommentTarget is { } target)
                _commentTargets[a] = (obj.Key, obj.Display, target);
        }
    }

    /// <summary>Makes dependencies on <paramref name="address"/> count as dependencies on <paramref name="key"/>.</summary>
    public void Register(ObjectAddress address, string key) => _registered[address] = key;

    /// <summary>A comment on <paramref name="address"/> is COMMENT ON <paramref name="target"/>, owned by <paramref name="ownerKey"/>.</summary>
    public void RegisterCommentTarget(ObjectAddress address, string ownerKey, string display, string target) => _commentTargets[address] = (ownerKey, display, target);

    public (string Key, string Display, string Target)? CommentTargetOf(ObjectAddress address) => _commentTargets.TryGetValue(address, out var t) ? t : null;

    public string? KeyOf(ObjectAddress address) => _registered.GetValueOrDefault(address);

    public void MarkSequence(ObjectAddress address) => _sequences.Add(address);

    public void AddExtensionMember(ObjectAddress member, uint extension)
    {
        _extensionMembers[member] = extension;
        _aliases[member] = new ObjectAddress(CatalogClass.Extension, extension);
    }

    /// <summary>True for objects an extension created: they come and go with the extension.</summary>
    public bool IsExtensionMember(ObjectAddress address) => _extensionMembers.ContainsKey(address);

    /// <summary>A pg_depend row: <paramref name="from"/> needs <paramref name="to"/>.</summary>
    public void AddDependency(ObjectAddress from, ObjectAddress to, char type)
    {
        if (type == 'i')
        {
            // The dependent is part of the referenced object (a view's rule, a constraint's index, an array type).
            if (!_registered.ContainsKey(from))
                _aliases.TryAdd(from, to);
            return;
        }
        // A serial sequence's link to its column is the separate ownership object, not a creation order.
        if (type == 'a' && to.SubId != 0 && _sequences.Contains(from))
            return;
        _addressDependencies.Add((from, to));
    }

    public void AddDependency(string fromKey, string toKey) => _keyDependencies.Add((fromKey, toKey));

    public void AddDependency(string fromKey, ObjectAddress to) => _mixedDependencies.Add((fromKey, to));

    public SchemaModel Build()
    {
        var deps = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (from, to) in _addressDependencies)
            Link(Resolve(from), Resolve(to));
        foreach (var (from, to) in _keyDependencies)
            Link(from, to);
        foreach (var (from, to) in _mixedDependencies)
            Link(from, Resolve(to));
        foreach (var o in _objects.Values)
        {
            if (o.Schema is { } schema)
                Link(o.Key, Keys.Schema(schema));
            if (o.ParentKey is { } parent)
                Link(o.Key, parent);
        }
        return new SchemaModel(_objects, deps) { AvailableExtensions = AvailableExtensions, Unsupported = Unsupported };

        void Link(string? from, string? to)
        {
            if (from is null || to is null || from == to || !_objects.ContainsKey(from) || !_objects.ContainsKey(to))
                return;
            if (!deps.TryGetValue(from, out var set))
                deps[from] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(to);
        }
    }

    string? Resolve(ObjectAddress address)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            if (_registered.TryGetValue(address, out var key))
                return key;
            if (_aliases.TryGetValue(address, out var alias))
                address = alias;
            else if (address.SubId != 0)
                address = address.Whole;
            else
                return null;
        }
        return null;
    }
}
