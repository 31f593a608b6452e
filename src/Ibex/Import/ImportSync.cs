namespace Ibex.Import;

/// <summary>An <c>ibex sync add</c> (and the commands that follow it) derived from a Bucardo sync.</summary>
public sealed record ImportSync(string Name, IReadOnlyList<string> Sources, IReadOnlyList<string> Targets, IReadOnlyList<string> Tables)
{
    public IReadOnlyList<string> Fullcopy { get; init; } = [];

    /// <summary>auto, always or never.</summary>
    public string Copy { get; init; } = "never";

    /// <summary>An Ibex conflict strategy, or null for the default (latest).</summary>
    public string? Conflict { get; init; }

    public bool KickMode { get; init; }

    /// <summary>An Ibex duration (e.g. 900s) for --every, or null.</summary>
    public string? Every { get; init; }

    /// <summary>truncate or delete for fullcopy targets; null for the default.</summary>
    public string? DeleteMethod { get; init; }

    public bool Sequences { get; init; }

    /// <summary>true: --forward, false: --no-forward, null: Ibex's default.</summary>
    public bool? Forward { get; init; }

    /// <summary>--map values (table=name on targets).</summary>
    public IReadOnlyList<string> Map { get; init; } = [];

    /// <summary>--columns values (table=a,b,c).</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Per-table conflict strategies, set after creation with <c>ibex sync set-conflict</c>.</summary>
    public IReadOnlyList<(string Table, string Strategy)> TableConflicts { get; init; } = [];

    /// <summary>The Bucardo sync is inactive: pause the Ibex sync right after creating it.</summary>
    public bool Paused { get; init; }

    /// <summary>Why this sync cannot be created as it is (the fix included); null when it can.</summary>
    public string? Problem { get; init; }

    /// <summary>The <c>ibex sync add</c> arguments.</summary>
    public IReadOnlyList<string> AddCommand()
    {
        var args = new List<string> { "sync", "add", Name, "--tables", string.Join(',', Tables) };
        foreach (var s in Sources)
            args.AddRange(["--source", s]);
        foreach (var t in Targets)
            args.AddRange(["--target", t]);
        foreach (var f in Fullcopy)
            args.AddRange(["--fullcopy", f]);
        args.AddRange(["--copy", Copy]);
        if (Conflict is not null)
            args.AddRange(["--conflict", Conflict]);
        if (Forward is { } forward)
            args.Add(forward ? "--forward" : "--no-forward");
        if (KickMode)
            args.AddRange(["--mode", "kick"]);
        if (Every is not null)
            args.AddRange(["--every", Every]);
        if (DeleteMethod is not null)
            args.AddRange(["--delete-method", DeleteMethod]);
        if (Sequences)
            args.Add("--sequences");
        foreach (var m in Map)
            args.AddRange(["--map", m]);
        foreach (var c in Columns)
            args.AddRange(["--columns", c]);
        return args;
    }

    /// <summary>Commands that complete the sync once it exists: per-table conflict strategies, then the pause.</summary>
    public IEnumerable<IReadOnlyList<string>> FollowUps()
    {
        foreach (var (table, strategy) in TableConflicts)
            yield return ["sync", "set-conflict", Name, table, strategy];
        if (Paused)
            yield return ["sync", "pause", Name];
    }
}
