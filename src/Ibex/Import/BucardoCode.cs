namespace Ibex.Import;

/// <summary>A Perl hook from <c>bucardo.customcode</c> with the syncs and tables it is attached to.</summary>
public sealed record BucardoCode(string Name, string WhenRun, string Status, IReadOnlyList<string> Syncs, IReadOnlyList<int> Relations);
