using Ibex.Schema.Diffing;
using Ibex.Schema.Model;

namespace Ibex.Schema.Planning;

/// <summary>
/// Turns a change set into steps and the order constraints between them: a step that creates or alters an
/// object comes after the steps for what it needs (in the source); dropping an object comes after dropping or
/// altering what needs it (in the target); a replaced object is dropped before it is created again.
/// </summary>
internal sealed class PlanGraph
{
    readonly ChangeSet _set;
    readonly SchemaModel _from;
    readonly SchemaModel _to;
    readonly DiffContext _context;
    readonly Dictionary<string, PlanNode> _drops = new(StringComparer.Ordinal);
    readonly Dictionary<string, PlanNode> _creates = new(StringComparer.Ordinal);
    readonly Dictionary<string, PlanNode> _alters = new(StringComparer.Ordinal);
    readonly Dictionary<string, PlanNode> _renames = new(StringComparer.Ordinal);
    readonly Dictionary<string, PlanNode> _finishes = new(StringComparer.Ordinal);
    readonly List<PlanNode> _nodes = [];

    PlanGraph(ChangeSet set, SchemaModel from, SchemaModel to, DiffContext context)
    {
        _set = set;
        _from = from;
        _to = to;
        _context = context;
    }

    public IReadOnlyList<PlanNode> Nodes => _nodes;

    public static PlanGraph Build(ChangeSet set, SchemaModel from, SchemaModel to, DiffContext context)
    {
        var g = new PlanGraph(set, from, to, context);
        foreach (var (key, state) in set.States.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            switch (state)
            {
                case ObjectState.Removed:
                    g.DropNode(key);
                    break;
                case ObjectState.Added:
                    g.CreateNode(key);
                    break;
                case ObjectState.Replaced when set.IsRenamed(key):
                    g.RenameOld(key);
                    break;
                case ObjectState.Replaced:
                    g.DropNode(key);
                    g.CreateNode(key);
                    break;
                case ObjectState.Converted:
                    var column = (ColumnObject)from.Find(key)!;
                    var composite = from.Find(Keys.Type(column.UserType!.Value)) is CompositeTypeObject;
                    g.AlterNode(key, ColumnDiffer.Convert(column, (ColumnObject)to.Find(key)!, composite));
                    break;
                case ObjectState.Altered:
                    g.AlterNode(key, set.AlterOf(key));
                    break;
                case ObjectState.DefaultReset:
                    g.ResetDefault(key);
                    break;
            }
        }
        g.Link();
        return g;
    }

    PlanNode New(SchemaObject obj, NodeAction action, IReadOnlyList<PlannedStatement> statements)
    {
        var node = new PlanNode(_nodes.Count, obj, action, statements);
        _nodes.Add(node);
        return node;
    }

    void AlterNode(string key, AlterResult alter)
    {
        var obj = _from.Find(key)!;
        var node = _alters[key] = New(obj, NodeAction.Alter, alter.Statements);
        if (alter.Finish.Count > 0)
            After(node, _finishes[key] = New(obj, NodeAction.Alter, alter.Finish));
    }

    PlanNode DropNode(string key)
    {
        if (_drops.TryGetValue(key, out var node))
            return node;
        var obj = _to.Find(key)!;
        // Dropping the owner (a table, the column owning a serial sequence) drops this object too.
        node = obj.DroppedWith is { } owner && _set.IsDropped(owner) && _to.Find(owner) is not null
            ? DropNode(owner)
            : New(obj, NodeAction.Drop, Differs.For(obj.Kind).Drop(obj, _context));
        _drops[key] = node;
        return node;
    }

    PlanNode CreateNode(string key)
    {
        if (_creates.TryGetValue(key, out var node))
            return node;
        var source = _set.SourceOf(key);
        var obj = source.Find(key)!;
        // A new table is created with its columns.
        node = obj is ColumnObject && obj.ParentKey is { } table && _set.IsCreated(table)
            ? CreateNode(table)
            : New(obj, NodeAction.Create, Differs.For(obj.Kind).Create(obj, source, _context));
        _creates[key] = node;
        return node;
    }

    /// <summary>
    /// A type whose columns are converted: renamed out of the way, created again, and the old one dropped once
    /// nothing uses it.
    /// </summary>
    void RenameOld(string key)
    {
        var old = _to.Find(key)!;
        _renames[key] = New(old, NodeAction.Drop, [TypeRenames.RenameOld(old)]);
        _drops[key] = New(old, NodeAction.Drop, [TypeRenames.DropOld(old)]);
        CreateNode(key);
    }

    void ResetDefault(string key)
    {
        var old = (ColumnObject)_to.Find(key)!;
        var wanted = (ColumnObject)_from.Find(key)!;
        _drops[key] = New(old, NodeAction.Drop, [new(ColumnSql.AlterColumn(old) + "DROP DEFAULT;")]);
        _creates[key] = New(wanted, NodeAction.Create, [new(ColumnSql.AlterColumn(wanted) + "SET DEFAULT " + wanted.Default + ";")]);
    }

    void Link()
    {
        LinkIdentityNames();
        // Columns added to an existing table go in their source order (ADD COLUMN appends).
        foreach (var columns in _creates.Values.Distinct().Where(n => n.Kind == ObjectKind.Column && n.Action == NodeAction.Create)
                     .GroupBy(n => SourceFor(n.Key).Find(n.Key)!.ParentKey).Select(g => g.OrderBy(n => n.OrderKey, StringComparer.Ordinal).ToList()))
            for (var i = 1; i < columns.Count; i++)
                After(columns[i - 1], columns[i]);
        foreach (var (key, node) in _creates)
            foreach (var d in SourceFor(key).DependenciesOf(key))
                After(Done(d), node);
        foreach (var (key, node) in _alters)
        {
            // A change finished in two steps: the first needs only new types, the second everything.
            var finish = _finishes.GetValueOrDefault(key);
            foreach (var d in _from.DependenciesOf(key))
            {
                After(Done(d), finish ?? node);
                if (finish is not null && _from.Find(d)?.Kind is ObjectKind.Enum or ObjectKind.Domain or ObjectKind.CompositeType or ObjectKind.Extension or ObjectKind.Schema)
                    After(Done(d), node);
            }
            // A column type change needs the views and policies that use the column out of the way first; not a drop
            // that takes along something the column itself still uses (a serial's ownership goes with its sequence,
            // which the old default needs until this step drops it).
            if (_set.StateOf(key) == ObjectState.Converted || _set.AlterOf(key).RebuildsDependents)
                foreach (var z in _to.DependentsOf(key))
                    if (_drops.GetValueOrDefault(z) is { } drop && !_to.DependenciesOf(key).Contains(drop.Key))
                        After(drop, node);
        }
        foreach (var (key, node) in _drops)
        {
            foreach (var z in _to.DependentsOf(key))
                After(_drops.GetValueOrDefault(z) ?? _alters.GetValueOrDefault(z), node);
            if (_renames.TryGetValue(key, out var rename))
            {
                // Drops that name the type (DROP FUNCTION f(type)) run while the name still means the old type.
                foreach (var z in _to.DependentsOf(key))
                    After(_drops.GetValueOrDefault(z), rename);
                After(rename, _creates[key]);
                After(rename, node);
            }
            else if (_creates.TryGetValue(key, out var create))
                After(node, create);
        }
    }

    /// <summary>The step after which an object is in its final shape.</summary>
    PlanNode? Done(string key) => _creates.GetValueOrDefault(key) ?? _finishes.GetValueOrDefault(key) ?? _alters.GetValueOrDefault(key);

    /// <summary>
    /// Identity sequences are not objects of their own, but their names can collide with sequences that come or
    /// go: a column's identity waits for the old sequence of that name to go, and a new sequence waits for the
    /// identity that held its name.
    /// </summary>
    void LinkIdentityNames()
    {
        foreach (var c in _to.Objects.Values.OfType<ColumnObject>())
            if (c.IdentitySequence is { } n && _creates.TryGetValue(Keys.Sequence(n), out var create) && _set.StateOf(Keys.Sequence(n)) == ObjectState.Added)
                After(_drops.GetValueOrDefault(c.Key) ?? _alters.GetValueOrDefault(c.Key), create);
        foreach (var c in _from.Objects.Values.OfType<ColumnObject>())
            if (c.IdentitySequence is { } n && _drops.TryGetValue(Keys.Sequence(n), out var drop))
                After(drop, Done(c.Key));
    }

    SchemaModel SourceFor(string key) => _set.StateOf(key) == ObjectState.DefaultReset ? _from : _set.SourceOf(key);

    static void After(PlanNode? first, PlanNode? then)
    {
        if (first is not null && then is not null && first != then)
            first.Next.Add(then);
    }
}
