using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Planning;

/// <summary>
/// Which objects a diff looks at. The whole schema by default; with <c>OnlyTables</c>, the chosen tables (and
/// their partitions) with everything they own, plus everything those need in the source, and never other objects
/// of the target except to put back what a change forces out of the way.
/// </summary>
internal sealed class DiffScope
{
    readonly HashSet<string>? _from;
    readonly HashSet<string>? _to;
    readonly bool _privileges;

    DiffScope(HashSet<string>? from, HashSet<string>? to, bool privileges)
    {
        _from = from;
        _to = to;
        _privileges = privileges;
    }

    /// <summary>
    /// True when the source object <paramref name="key"/> should exist in the target. Privileges are read either
    /// way, but compared only when asked for; otherwise an object created again gets its target grants back.
    /// </summary>
    public bool InFrom(string key) => Compared(key) && (_from?.Contains(key) ?? true);

    /// <summary>True when the target object <paramref name="key"/> may be changed or dropped.</summary>
    public bool InTo(string key) => Compared(key) && (_to?.Contains(key) ?? true);

    bool Compared(string key) => _privileges || !key.StartsWith(PrivilegeObject.KeyPrefix, StringComparison.Ordinal);

    public static DiffScope Whole(bool privileges) => new(null, null, privileges);

    public static DiffScope ForTables(SchemaModel from, SchemaModel to, IReadOnlyCollection<QualifiedName> tables, bool privileges)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(tables);
        // A table the source does not have is left alone: never dropped from the target.
        var seeds = tables.Select(Keys.Table).Where(k => from.Find(k) is TableObject).ToHashSet(StringComparer.Ordinal);
        // Partitions of a chosen table are chosen too.
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var t in from.Objects.Values.OfType<TableObject>())
                if (t.PartitionOf is { } parent && seeds.Contains(Keys.Table(parent)) && seeds.Add(t.Key))
                    grew = true;
        }
        var fromKeys = from.Objects.Keys.Where(k => seeds.Contains(OwnerTable(from, k) ?? "")).ToHashSet(StringComparer.Ordinal);
        var work = new Stack<string>(fromKeys);
        while (work.Count > 0)
        {
            var key = work.Pop();
            var next = from.DependenciesOf(key).AsEnumerable();
            if (from.Find(key) is TableObject)
                next = next.Concat(from.ChildrenOf(key).Where(c => from.Find(c) is ColumnObject));
            next = next.Concat(from.ChildrenOf(key).Where(c => from.Find(c)?.Kind is ObjectKind.Comment or ObjectKind.Privilege));
            foreach (var d in next)
                if (fromKeys.Add(d))
                    work.Push(d);
        }
        var toKeys = to.Objects.Keys.Where(k => fromKeys.Contains(k) || seeds.Contains(OwnerTable(to, k) ?? "")).ToHashSet(StringComparer.Ordinal);
        return new DiffScope(fromKeys, toKeys, privileges);
    }

    /// <summary>The key of the table an object belongs to (the table itself for a table), or null.</summary>
    static string? OwnerTable(SchemaModel model, string key)
    {
        for (var depth = 0; depth < 8 && model.Find(key) is { } obj; depth++)
        {
            if (obj is TableObject)
                return key;
            var up = obj is SequenceOwnerObject owner ? owner.ColumnKey : obj.ParentKey;
            if (up is null)
                return null;
            key = up;
        }
        return null;
    }
}
