namespace Ibex.Conflicts;

/// <summary>What to do with a remote change that met local data (<see cref="ConflictRules.Decide"/>).</summary>
public enum ConflictOutcome
{
    /// <summary>Write the remote change; local rows it meets are replaced (or removed, for rows clashing on a unique value).</summary>
    ApplyRemote,

    /// <summary>Keep the local version; the remote change is dropped.</summary>
    KeepLocal,

    /// <summary>Nothing to do: the remote change has no row to act on (a delete of a missing row).</summary>
    Skip,

    /// <summary>Stop the sync before this change until an operator resolves it (strategy <c>abort</c>).</summary>
    Abort,

    /// <summary>Call the table's custom function and write the row it returns.</summary>
    CallCustom,
}
