namespace Ibex.Conflicts;

/// <summary>The names conflict kinds have in the conflict log, <c>ibex conflicts</c> and metrics: PostgreSQL's.</summary>
public static class ConflictKindNames
{
    public static string Name(this ConflictKind kind) => kind switch
    {
        ConflictKind.InsertExists => "insert_exists",
        ConflictKind.UpdateOriginDiffers => "update_origin_differs",
        ConflictKind.UpdateExists => "update_exists",
        ConflictKind.UpdateDeleted => "update_deleted",
        ConflictKind.UpdateMissing => "update_missing",
        ConflictKind.DeleteOriginDiffers => "delete_origin_differs",
        ConflictKind.DeleteMissing => "delete_missing",
        ConflictKind.MultipleUniqueConflicts => "multiple_unique_conflicts",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Every name, in declaration order (the conflict log's check constraint lists the same).</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<ConflictKind>().Select(k => k.Name())];
}
