using Ibex.Apply;

namespace Ibex.Conflicts;

/// <summary>A conflict under the <c>abort</c> strategy: the sync stops before applying anything past it.</summary>
public sealed class ConflictAbortException : Exception
{
    public ConflictAbortException() { }

    public ConflictAbortException(string message) : base(message) { }

    public ConflictAbortException(string message, Exception innerException) : base(message, innerException) { }

    public ConflictAbortException(ConflictRecord conflict)
        : base($"conflict ({conflict.Kind.Name()}) on {conflict.Schema}.{conflict.Table} key {conflict.KeyJson} between node '{conflict.Node}' and '{conflict.RemoteOrigin}' under strategy abort; fix the row, then run 'ibex sync resume {conflict.Sync}'")
        => Conflict = conflict;

    public ConflictRecord? Conflict { get; }

    /// <summary>The form the apply loop reports.</summary>
    public ApplyException ToApplyException() => new(Message, false, this);
}
