using Ibex.Catalog;
using Ibex.Control.Model;

namespace Ibex.Setup;

/// <summary>What an operator asked <c>ibex sync add</c> for.</summary>
public sealed record SyncSpec(
    string Name,
    IReadOnlyList<TablePattern> Tables,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Targets,
    CopyMode CopyMode,
    string ConflictStrategy = "latest")
{
    /// <summary>Targets that get a full refresh on every run instead of a stream (<c>--fullcopy</c>).</summary>
    public IReadOnlyList<string> FullcopyTargets { get; init; } = [];

    public SyncOptions Options { get; init; } = new();

    /// <summary><c>--strict</c>: refuse a table whose UPDATEs and DELETEs cannot replicate (no key, not REPLICA IDENTITY FULL) instead of warning.</summary>
    public bool Strict { get; init; }

    /// <summary><c>--forward</c> / <c>--no-forward</c>; null: on for a chain (the source receives another sync), off otherwise.</summary>
    public bool? Forward { get; init; }

    /// <summary>Per-table row filters: (table, SQL expression).</summary>
    public IReadOnlyList<TableSetting> Where { get; init; } = [];

    /// <summary>Per-table column lists: (table, comma-separated columns).</summary>
    public IReadOnlyList<TableSetting> Columns { get; init; } = [];

    /// <summary><c>--ddl</c>: what the sync does with DDL on its sources.</summary>
    public DdlMode Ddl { get; init; } = DdlMode.Stop;

    /// <summary>Per-table target names: (table, schema.name on targets).</summary>
    public IReadOnlyList<TableSetting> Map { get; init; } = [];
}
