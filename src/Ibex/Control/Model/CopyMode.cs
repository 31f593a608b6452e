namespace Ibex.Control.Model;

/// <summary>How a sync fills its targets before streaming.</summary>
public enum CopyMode
{
    /// <summary>Copy a table when its target is empty; refuse when it is not.</summary>
    Auto,

    /// <summary>Truncate targets and copy.</summary>
    Always,

    /// <summary>Stream changes only.</summary>
    Never,
}
