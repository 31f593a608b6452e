namespace Ibex.Import;

/// <summary>Bucardo's <c>conflict_strategy</c> values and their Ibex <c>--conflict</c> counterparts.</summary>
public static class BucardoConflicts
{
    /// <summary>The Ibex strategy (null: the default, latest) and a note when the behaviour differs.</summary>
    public static (string? Strategy, string? Note) Map(string bucardo, IReadOnlyCollection<string> nodes)
    {
        ArgumentNullException.ThrowIfNull(bucardo);
        ArgumentNullException.ThrowIfNull(nodes);
        var value = bucardo.Trim();
        switch (value)
        {
            case "" or "bucardo_latest" or "latest" or "default":
                return (null, null);
            case "bucardo_latest_all_tables" or "latest_all":
                return (null, "conflict_strategy bucardo_latest_all_tables: Ibex decides each row by its own latest commit ('latest'), not by the latest change to any table of the sync");
            case "bucardo_abort":
                return ("abort", null);
            case "bucardo_custom":
                return (null, "conflict_strategy bucardo_custom: Bucardo's conflict handlers are Perl customcode; write an SQL function and use --conflict custom:schema.function (see 'ibex sync add --help'); imported as latest");
            case "bucardo_target" or "bucardo_skip":
                return ("keep-local", value == "bucardo_skip" ? "conflict_strategy bucardo_skip: imported as keep-local (each node keeps its own version of a conflicting row)" : null);
            case "bucardo_source" or "bucardo_random":
                return (null, $"conflict_strategy {value}: no Ibex equivalent; imported as latest (the most recent commit wins on every node)");
        }
        if (value.StartsWith("bucardo_", StringComparison.Ordinal))
            return (null, $"conflict_strategy {value}: unknown to this importer; imported as latest");
        // A list of databases: the first one listed wins.
        var list = value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        var unknown = list.Where(n => !nodes.Contains(n)).ToList();
        var known = list.Where(nodes.Contains).ToList();
        if (known.Count == 0)
            return (null, $"conflict_strategy '{value}' names no database of this sync; imported as latest");
        var note = "conflict_strategy '" + value + "' (database priority): imported as priority:" + string.Join(',', known)
            + "; Ibex lets a lower-ranked node win when its change is more than the priority window (2 s per step) newer — write priority:A,B@1h for a near-absolute priority"
            + (unknown.Count > 0 ? $"; {string.Join(", ", unknown)} left out (not in this sync)" : "");
        return ("priority:" + string.Join(',', known), note);
    }
}
