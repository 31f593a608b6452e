using Ibex.Sql;

namespace Ibex.Control.Model;

/// <summary>A table of a sync (by its name on the sources).</summary>
public sealed record SyncTable(QualifiedName Name, string OptionsJson = "{}");
