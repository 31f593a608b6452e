namespace Ibex.Conflicts;

public enum StrategyKind
{
    Latest,
    Priority,
    KeepLocal,
    Abort,
    Custom,
}
