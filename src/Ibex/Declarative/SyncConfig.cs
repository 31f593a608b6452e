using Ibex.Catalog;
using Ibex.Control.Model;
using Ibex.Setup;
using Ibex.Sql;

namespace Ibex.Declarative;

/// <summary>A sync in a configuration file: its nodes by role, copy mode, conflict strategy, state, options and tables.</summary>
public sealed record SyncConfig(
    string Name,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Targets,
    IReadOnlyList<string> Fullcopy,
    CopyMode Copy,
    string Conflict,
    bool Enabled,
    SyncOptions Options,
    IReadOnlyList<TableConfig> Tables)
{
    public IEnumerable<string> AllNodes => Sources.Concat(Targets).Concat(Fullcopy);

    /// <summary>What the sync does with DDL on its sources (<c>ddl:</c>; <c>sync add --ddl</c>).</summary>
    public DdlMode Ddl { get; init; } = DdlMode.Stop;

    /// <summary>True when both have the same nodes in the same roles (changing them means making the sync anew).</summary>
    public bool SameMembers(SyncConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Sources.Order(StringComparer.Ordinal).SequenceEqual(other.Sources.Order(StringComparer.Ordinal))
            && Targets.Order(StringComparer.Ordinal).SequenceEqual(other.Targets.Order(StringComparer.Ordinal))
            && Fullcopy.Order(StringComparer.Ordinal).SequenceEqual(other.Fullcopy.Order(StringComparer.Ordinal));
    }

    /// <summary>What <c>sync add</c> (or <c>sync add-table</c>, for <paramref name="only"/>) is given for this sync: exact table names, explicit forwarding.</summary>
    public SyncSpec Spec(IReadOnlyList<TableConfig>? only = null)
    {
        var tables = only ?? Tables;
        return new SyncSpec(Name, [.. tables.Select(t => TablePattern.Parse(t.Name.Quoted))], Sources, Targets, Copy, Conflict)
        {
            FullcopyTargets = Fullcopy,
            Options = Options,
            Forward = Options.Forward,
            Ddl = Ddl,
            Where = [.. tables.Where(t => t.Where is not null).Select(t => new TableSetting(t.Name.Quoted, t.Where!))],
            Columns = [.. tables.Where(t => t.Columns is not null).Select(t => new TableSetting(t.Name.Quoted, Ident.QuoteList(t.Columns!)))],
            Map = [.. tables.Where(t => t.Map is not null).Select(t => new TableSetting(t.Name.Quoted, t.Map!.Value.Quoted))],
        };
    }
}
