namespace Ibex.Control.Model;

public enum NodeRole
{
    Source,
    Target,
}
