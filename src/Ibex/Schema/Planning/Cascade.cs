using Ibex.Schema.Model;

namespace Ibex.Schema.Planning;

/// <summary>
/// Spreads drops through the target's dependencies: whatever needs a dropped object (or goes with it) is dropped
/// too, and created again when the source has it. A column type change likewise rebuilds the views, policies,
/// triggers, SQL-standard function bodies and generated columns that use the column, which PostgreSQL would
/// otherwise refuse.
/// </summary>
internal static class Cascade
{
    static readonly HashSet<ObjectKind> RebuiltByRetype = [ObjectKind.View, ObjectKind.MaterializedView, ObjectKind.Policy, ObjectKind.Trigger, ObjectKind.Function];

    public static void Apply(ChangeSet set, SchemaModel from, SchemaModel to, DiffScope scope)
    {
        var droppedWith = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var o in to.Objects.Values)
            if (o.DroppedWith is { } owner)
            {
                if (!droppedWith.TryGetValue(owner, out var list))
                    droppedWith[owner] = list = [];
                list.Add(o.Key);
            }

        var queue = new Queue<string>(set.States.Where(s => s.Value is ObjectState.Removed or ObjectState.Replaced).Select(s => s.Key));
        foreach (var key in set.States.Keys.ToList())
            if (set.StateOf(key) == ObjectState.Altered && set.AlterOf(key).RebuildsDependents)
                foreach (var z in to.DependentsOf(key))
                    if (!set.IsDropped(z) && to.Find(z) is { } obj && (RebuiltByRetype.Contains(obj.Kind) || obj is ColumnObject { Generated: not null }))
                        Drop(z);

        while (queue.Count > 0)
        {
            var x = queue.Dequeue();
            var goesWith = droppedWith.GetValueOrDefault(x) ?? [];
            foreach (var z in to.DependentsOf(x).Concat(goesWith).Distinct(StringComparer.Ordinal).ToList())
            {
                if (set.IsDropped(z) || to.Find(z) is not { } obj)
                    continue;
                var part = goesWith.Contains(z) || obj.ParentKey == x;
                var state = set.StateOf(z);
                if (state is ObjectState.DefaultReset)
                    continue;
                // A column of a type that is created again keeps its data: converted through text to the new type.
                if (!part && state is (null or ObjectState.Altered or ObjectState.Converted) && obj is ColumnObject { Generated: null, UserType: { } e }
                    && Keys.Type(e) == x && IsUserType(from.Find(x)) && set.StateOf(x) == ObjectState.Replaced && from.Find(z) is ColumnObject { UserType: { } fe } && fe == e)
                {
                    if (state is not ObjectState.Converted)
                    {
                        set.Convert(z, x);
                        foreach (var d in to.DependentsOf(z))
                            if (!set.IsDropped(d) && to.Find(d) is { } dep && (RebuiltByRetype.Contains(dep.Kind) || dep is ColumnObject { Generated: not null }))
                                Drop(d);
                    }
                    continue;
                }
                if (state is ObjectState.Converted && !part)
                    continue;
                // An altered object whose new definition no longer needs x is changed before x goes.
                if (state == ObjectState.Altered && !part && !(from.Objects.ContainsKey(x) && from.DependenciesOf(z).Contains(x)))
                    continue;
                if (!part && state is null && obj is ColumnObject { Default: not null, Generated: null }
                    && (to.Find(x) is FunctionObject or SequenceObject || IsUserType(to.Find(x))) && from.Objects.ContainsKey(z) && scope.InFrom(z))
                {
                    set.ResetDefault(z);
                    continue;
                }
                Drop(z);
            }
        }

        static bool IsUserType(SchemaObject? o) => o is EnumObject or DomainObject or CompositeTypeObject;

        void Drop(string z)
        {
            if (from.Objects.ContainsKey(z) && scope.InFrom(z))
                set.Replace(z, from);
            else if (scope.InTo(z))
                set.Remove(z);
            else
                set.Replace(z, to);
            queue.Enqueue(z);
        }
    }
}
