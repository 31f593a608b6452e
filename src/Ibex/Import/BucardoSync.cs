namespace Ibex.Import;

/// <summary>One row of Bucardo's <c>bucardo.sync</c> with its databases (dbgroup) and relations (relgroup).</summary>
public sealed record BucardoSync(string Name)
{
    public string? Relgroup { get; init; }

    public string? DbGroup { get; init; }

    public IReadOnlyList<BucardoMember> Members { get; init; } = [];

    public IReadOnlyList<BucardoRelation> Relations { get; init; } = [];

    /// <summary>active or inactive (Bucardo also writes paused, stalled, ...).</summary>
    public string Status { get; init; } = "active";

    /// <summary>bucardo_latest, bucardo_latest_all_tables, bucardo_abort, bucardo_custom, or a list of database names.</summary>
    public string ConflictStrategy { get; init; } = "bucardo_latest";

    /// <summary>0: no copy, 1: full copy of every table, 2: copy into empty target tables only.</summary>
    public int OneTimeCopy { get; init; }

    /// <summary>How fullcopy targets are emptied: delete, truncate, truncate_cascade.</summary>
    public string DeleteMethod { get; init; } = "delete";

    /// <summary>Triggers kick the sync on every change (otherwise it runs when kicked or every checktime).</summary>
    public bool Autokick { get; init; } = true;

    /// <summary>Kick the sync at least this often, in seconds.</summary>
    public double? CheckTimeSeconds { get; init; }

    /// <summary>Settings Ibex has no counterpart for, with their values, when they differ from Bucardo's defaults.</summary>
    public IReadOnlyList<(string Setting, string Value)> Unmapped { get; init; } = [];

    public IEnumerable<string> Sources => Role("source");

    public IEnumerable<string> Targets => Role("target");

    public IEnumerable<string> Fullcopy => Role("fullcopy");

    IEnumerable<string> Role(string role) => Members.Where(m => m.Role == role).OrderByDescending(m => m.Priority).ThenBy(m => m.Db, StringComparer.Ordinal).Select(m => m.Db);
}
