namespace Ibex.Import;

/// <summary>What <see cref="BucardoReader"/> found in a Bucardo 5 control database.</summary>
public sealed record BucardoCatalog(
    string Version,
    IReadOnlyList<BucardoDb> Dbs,
    IReadOnlyList<BucardoSync> Syncs,
    IReadOnlyList<BucardoCode> Codes,
    IReadOnlyList<BucardoCustom> CustomNames,
    IReadOnlyList<BucardoCustom> CustomCols)
{
    /// <summary>Relgroups no sync uses (their tables are not replicated by Bucardo either).</summary>
    public IReadOnlyList<string> UnusedRelgroups { get; init; } = [];

    /// <summary>Number of rows in <c>bucardo_custom_trigger</c> (custom delta/kick triggers per table).</summary>
    public int CustomTriggers { get; init; }

    public BucardoDb? Db(string name) => Dbs.FirstOrDefault(d => d.Name == name);
}
