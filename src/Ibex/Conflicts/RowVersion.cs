namespace Ibex.Conflicts;

/// <summary>Who last wrote a version of a row, and when (the commit time on the node where it was first written).</summary>
/// <param name="CommitTimestamp">Null when unknown (a frozen row, or a delete nobody recorded): it loses to any known time.</param>
/// <param name="Node">The node the change came from; null when unknown.</param>
public sealed record RowVersion(DateTime? CommitTimestamp, string? Node);
