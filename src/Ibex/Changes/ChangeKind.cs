namespace Ibex.Changes;

public enum ChangeKind : byte
{
    Insert = 1,
    Update = 2,
    Delete = 3,
    Truncate = 4,
}
