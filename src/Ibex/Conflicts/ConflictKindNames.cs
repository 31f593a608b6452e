namespace Ibex.Conflicts;

/// <summary>The names conflict kinds have in the conflict log and in metrics.</summary>
public static class ConflictKindNames
{
    public static string Name(this ConflictKind kind) => kind switch
    {
        ConflictKind.InsertInsert => "insert_insert",
        ConflictKind.UpdateUpdate => "update_update",
        ConflictKind.UpdateDelete => "update_delete",
        ConflictKind.DeleteUpdate => "delete_update",
        ConflictKind.DeleteDelete => "delete_delete",
        ConflictKind.UniqueViolation => "unique_violation",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
