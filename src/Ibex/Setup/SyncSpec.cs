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
    string ConflictStrategy = "latest",
    string OptionsJson = "{}");
