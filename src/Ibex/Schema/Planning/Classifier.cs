using Ibex.Schema.Diffing;
using Ibex.Schema.Model;

namespace Ibex.Schema.Planning;

/// <summary>Compares the two models object by object: added, removed, altered in place or to be replaced.</summary>
internal static class Classifier
{
    public static ChangeSet Classify(SchemaModel from, SchemaModel to, DiffScope scope, DiffContext context)
    {
        var set = new ChangeSet();
        foreach (var (key, f) in from.Objects)
        {
            if (!scope.InFrom(key))
                continue;
            var t = to.Find(key);
            if (t is null)
            {
                set.Add(key, from);
                continue;
            }
            if (t.Kind != f.Kind)
            {
                set.Replace(key, from);
                continue;
            }
            if (f.Definition == t.Definition)
                continue;
            var alter = Differs.For(f.Kind).Alter(f, t, context);
            if (alter is null)
                set.Replace(key, from);
            else if (alter.Statements.Count > 0 || alter.Finish.Count > 0 || alter.RebuildsDependents)
                set.Alter(key, alter);
        }
        foreach (var key in to.Objects.Keys)
            if (scope.InTo(key) && !(scope.InFrom(key) && from.Objects.ContainsKey(key)))
                set.Remove(key);
        return set;
    }
}
