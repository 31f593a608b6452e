using Ibex.Sql;

namespace Ibex.Control.Model;

/// <summary>A table of a sync (by its name on the sources).</summary>
public sealed record SyncTable(QualifiedName Name, string OptionsJson = "{}")
{
    public TableOptions Options => TableOptions.Parse(OptionsJson);

    /// <summary>The table's name on targets (<c>--map</c>), or its own name.</summary>
    public QualifiedName TargetName => Options is { TargetName: { } n } o ? new QualifiedName(o.TargetSchema ?? Name.Schema, n) : Name;
}
