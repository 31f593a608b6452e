namespace Ibex.Control.Model;

public enum NodeRole
{
    Source,
    Target,

    /// <summary>Gets a full refresh of every table on each run (no stream).</summary>
    Fullcopy,
}
