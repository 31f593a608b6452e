using Ibex.Control.Model;

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

    /// <summary>True when both have the same nodes in the same roles (changing them means making the sync anew).</summary>
    public bool SameMembers(SyncConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Sources.Order(StringComparer.Ordinal).SequenceEqual(other.Sources.Order(StringComparer.Ordinal))
            && Targets.Order(StringComparer.Ordinal).SequenceEqual(other.Targets.Order(StringComparer.Ordinal))
            && Fullcopy.Order(StringComparer.Ordinal).SequenceEqual(other.Fullcopy.Order(StringComparer.Ordinal));
    }
}
