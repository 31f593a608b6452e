namespace Ibex.Conflicts;

/// <summary>The receiving node's version of a row, read (and locked) before a remote change is applied.</summary>
/// <param name="RowJson">The row as jsonb text.</param>
/// <param name="Version">Who wrote it and when.</param>
/// <param name="KeyValues">Its key column values as text (used when it has to be deleted).</param>
public sealed record LocalRow(string RowJson, RowVersion Version, IReadOnlyList<string?> KeyValues)
{
    /// <summary>The pg_replication_origin id that wrote this version (0: written on this node).</summary>
    public int OriginId { get; init; }

    /// <summary>The row version's xmin as text: what <see cref="RowGuard"/> checks it against.</summary>
    public string Xmin { get; init; } = "";
}
