namespace Ibex.Conflicts;

/// <summary>How a remote change collided with the receiving node's own version of a row.</summary>
public enum ConflictKind
{
    /// <summary>Both nodes inserted the same key.</summary>
    InsertInsert,

    /// <summary>Both nodes updated the same row concurrently.</summary>
    UpdateUpdate,

    /// <summary>The remote node updated a row that was deleted here.</summary>
    UpdateDelete,

    /// <summary>The remote node deleted a row that was updated here concurrently.</summary>
    DeleteUpdate,

    /// <summary>Both nodes deleted the row.</summary>
    DeleteDelete,

    /// <summary>The remote row clashes with another local row on a unique index other than the key.</summary>
    UniqueViolation,
}
