namespace Ibex.Conflicts;

/// <summary>A local version a remote change met, and whether the remote node had not seen it when it made the change.</summary>
/// <param name="Version">Who wrote it (or deleted the row) and when.</param>
/// <param name="Concurrent">
/// True when it came from a node other than the remote one after what the remote node had applied from that node
/// (<see cref="ConflictRules.IsConcurrent"/>). A change made after seeing a version supersedes it.
/// </param>
public sealed record LocalVersion(RowVersion Version, bool Concurrent);
