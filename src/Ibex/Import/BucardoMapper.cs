using System.Globalization;
using System.Text.RegularExpressions;
using Ibex.Control;

namespace Ibex.Import;

/// <summary>
/// Maps a Bucardo catalog to Ibex nodes and syncs: dbgroup roles to --source/--target/--fullcopy, relgroups to
/// --tables, onetimecopy to --copy, conflict_strategy to --conflict, autokick/checktime to --mode/--every, makedelta to
/// --forward, customname/customcols to --map/--columns, inactive to a pause; everything else becomes a note.
/// </summary>
public static partial class BucardoMapper
{
    [GeneratedRegex(@"^\s*(?:select\s+)?((?:[a-z_][a-z0-9_$]*\s*,\s*)*[a-z_][a-z0-9_$]*)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ColumnList();

    public static ImportPlan Map(BucardoCatalog catalog, string from)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var notes = new List<ImportNote>();
        var used = catalog.Syncs.SelectMany(s => s.Members.Select(m => m.Db)).ToHashSet();
        var nodes = new List<ImportNode>();
        foreach (var db in catalog.Dbs)
        {
            var what = $"db '{db.Name}'";
            if (db.Type != "postgres")
            {
                notes.Add(new(what, $"a {db.Type} database; Ibex replicates between PostgreSQL databases only, so it is left out"));
                continue;
            }
            if (!used.Contains(db.Name))
            {
                notes.Add(new(what, "no sync uses it; not imported"));
                continue;
            }
            var (dsn, display, hasPassword, problem) = BucardoDsn.Build(db);
            try
            {
                ObjectNames.Validate("node", db.Name);
            }
            catch (IbexException e)
            {
                problem ??= e.Message;
            }
            nodes.Add(new ImportNode(db.Name, dsn, display) { HasPassword = hasPassword, Problem = problem });
            if (db.Status != "active")
                notes.Add(new(what, $"Bucardo marks it {db.Status}; Ibex adds it as a node like any other (pause the syncs that use it with 'ibex sync pause')"));
            if (!db.ServerSidePrepares)
                notes.Add(new(what, "server_side_prepares off: no equivalent; Ibex prepares its apply statements on targets, so connect it to PostgreSQL directly, not through a transaction-mode pooler"));
        }
        var nodeNames = nodes.Select(n => n.Name).ToHashSet();
        var syncs = catalog.Syncs.Select(s => MapSync(catalog, s, nodeNames, notes)).OfType<ImportSync>().ToList();

        foreach (var code in catalog.Codes)
            notes.Add(new($"customcode '{code.Name}'", $"Perl code run at {code.WhenRun}{Attached(code, catalog)}: no Ibex equivalent (Ibex runs no code inside replication; use PostgreSQL triggers enabled with ALTER TABLE ... ENABLE ALWAYS TRIGGER on targets{(code.WhenRun == "conflict" ? ", or a conflict function: --conflict custom:schema.function" : "")})"));
        if (catalog.CustomTriggers > 0)
            notes.Add(new("bucardo_custom_trigger", $"{catalog.CustomTriggers.ToString(CultureInfo.InvariantCulture)} custom delta/kick trigger(s): no equivalent, Ibex reads changes from the WAL and has no triggers; use --where row filters for subsets of rows"));
        foreach (var herd in catalog.UnusedRelgroups)
            notes.Add(new($"relgroup '{herd}'", "no sync uses it; not imported"));
        return new ImportPlan(from, catalog.Version, nodes, syncs, notes);
    }

    static ImportSync? MapSync(BucardoCatalog catalog, BucardoSync s, HashSet<string> nodeNames, List<ImportNote> notes)
    {
        var what = $"sync '{s.Name}'";
        var postgres = s.Members.Where(m => catalog.Db(m.Db)?.Type == "postgres").Select(m => m.Db).ToHashSet();
        foreach (var m in s.Members.Where(m => !postgres.Contains(m.Db)))
            notes.Add(new(what, $"{m.Role} '{m.Db}' is not a PostgreSQL database; left out of the sync"));
        var sources = s.Sources.Where(postgres.Contains).ToList();
        var targets = s.Targets.Where(postgres.Contains).ToList();
        var fullcopy = s.Fullcopy.Where(postgres.Contains).ToList();
        var multi = sources.Count > 1;
        if (sources.Count == 0 || sources.Count + targets.Count + fullcopy.Count < 2)
        {
            notes.Add(new(what, "has no PostgreSQL source and target left; not imported"));
            return null;
        }
        var relations = s.Relations.Where(r => !r.Ghost).ToList();
        foreach (var r in s.Relations.Where(r => r.Ghost))
            notes.Add(new(what, $"{r.Display} is a ghost table (Bucardo only drops its triggers); not replicated"));
        var tables = relations.Where(r => !r.IsSequence).ToList();
        var sequences = relations.Where(r => r.IsSequence).ToList();
        if (sequences.Count > 0)
            notes.Add(new(what, $"sequence(s) {string.Join(", ", sequences.Select(q => q.Display))}: imported as --sequences, which copies the values of sequences owned by a synced table; a sequence no synced table owns is not copied{(multi ? "; for multi-master keys use 'ibex sequences interleave' instead" : "")}"));
        string? problem = null;
        if (tables.Count == 0)
            problem = $"its relgroup '{s.Relgroup}' holds no table; add tables with 'bucardo add table ... relgroup={s.Relgroup}' or leave this sync out";
        else if (multi && fullcopy.Count > 0)
            problem = "fullcopy targets need a single source in Ibex; move them to a separate Bucardo sync with one source, then import again";

        var (conflict, conflictNote) = multi ? BucardoConflicts.Map(s.ConflictStrategy, [.. sources, .. targets]) : (null, null);
        if (conflictNote is not null)
            notes.Add(new(what, conflictNote));
        var tableConflicts = new List<(string, string)>();
        foreach (var r in tables.Where(r => r.ConflictStrategy is { Length: > 0 } && multi))
        {
            var (strategy, note) = BucardoConflicts.Map(r.ConflictStrategy!, [.. sources, .. targets]);
            tableConflicts.Add((r.Pattern, strategy ?? "latest"));
            if (note is not null)
                notes.Add(new($"{what} table {r.Display}", note));
        }

        var copy = s.OneTimeCopy switch { 1 => "always", 2 => "auto", _ => "never" };
        var streamTargets = targets.Count > 0 || multi;
        var kick = !s.Autokick && streamTargets;
        string? every = null;
        if (s.CheckTimeSeconds is > 0 && (kick || fullcopy.Count > 0))
            every = s.CheckTimeSeconds.Value.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        else if (s.CheckTimeSeconds is > 0)
            notes.Add(new(what, "checktime: not needed, Ibex streams changes as they commit"));
        if (fullcopy.Count > 0 && every is null)
            notes.Add(new(what, $"fullcopy target(s) {string.Join(", ", fullcopy)} are refreshed when kicked: run 'ibex sync kick {s.Name}' (or add --every)"));
        foreach (var r in tables.Where(r => r.Autokick is { } a && a != s.Autokick))
            notes.Add(new(what, $"table {r.Display} overrides autokick; Ibex has one mode per sync ({(kick ? "kick" : "stream")})"));
        string? deleteMethod = null;
        if (fullcopy.Count > 0)
        {
            deleteMethod = s.DeleteMethod == "delete" ? "delete" : null;
            if (s.DeleteMethod == "truncate_cascade")
                notes.Add(new(what, "deletemethod truncate_cascade: imported as truncate (Ibex does not empty tables that reference the synced ones)"));
        }

        bool? forward = null;
        var makeDelta = catalog.Db(sources[0])?.MakeDelta == true || tables.Any(r => r.MakeDelta is { } m && m.Trim().ToLowerInvariant() is "on" or "true" or "1");
        var receives = catalog.Syncs.Any(o => o.Name != s.Name && (o.Targets.Contains(sources[0]) || (o.Sources.Count() > 1 && o.Sources.Contains(sources[0]))));
        if (!multi)
        {
            forward = makeDelta ? true : receives ? false : null;
            if (forward == false)
                notes.Add(new(what, $"source '{sources[0]}' also receives changes from another sync, which Bucardo passes on only with makedelta (off here): imported with --no-forward"));
        }
        else if (makeDelta)
            notes.Add(new(what, "makedelta: a multi-master sync does not pass on changes it received (they would loop); cascade with a separate one-way sync from one of its nodes"));

        var map = new List<string>();
        var columns = new List<string>();
        var receivers = targets.Concat(fullcopy).ToList();
        foreach (var r in tables)
        {
            if (Scoped(catalog.CustomNames, r, s, receivers, out var name, out var partial))
            {
                if (multi || partial)
                    notes.Add(new(what, $"customname {r.Display} -> {name}: {(multi ? "a multi-master sync keeps the same names on every node" : "Ibex renames a table on every target of a sync; make a separate sync for the targets that use the other name")}; not imported"));
                else
                    map.Add(r.Pattern + "=" + (name.Contains('.', StringComparison.Ordinal) ? name : BucardoRelation.PatternPart(r.Schema) + "." + name));
            }
            if (Scoped(catalog.CustomCols, r, s, receivers, out var clause, out var partialCols))
            {
                var m = ColumnList().Match(clause);
                if (!m.Success || partialCols)
                    notes.Add(new(what, $"customcols {r.Display} '{clause}': {(partialCols ? "Ibex replicates the same columns to every target of a sync" : "only a plain column list has an equivalent (--columns)")}; not imported"));
                else
                    columns.Add(r.Pattern + "=" + string.Join(',', m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries)));
            }
            foreach (var (setting, on) in new[] { ("rebuild_index", r.RebuildIndex is > 0), ("delta_bypass", r.DeltaBypass), ("strict_checking off", !r.StrictChecking) })
                if (on)
                    notes.Add(new(what, $"table {r.Display}: {setting} has no Ibex equivalent; ignored"));
        }
        foreach (var (setting, value) in s.Unmapped)
            notes.Add(new(what, $"{setting} = {value}: no Ibex equivalent; ignored"));
        if (s.Status != "active")
            notes.Add(new(what, $"Bucardo status {s.Status}: the Ibex sync is paused after it is created ('ibex sync resume {s.Name}' starts it)"));
        var missing = sources.Concat(targets).Concat(fullcopy).Where(n => !nodeNames.Contains(n)).ToList();
        if (problem is null && missing.Count > 0)
            problem = $"database {string.Join(", ", missing)} is not in bucardo.db";

        return new ImportSync(s.Name, sources, targets, [.. tables.Select(r => r.Pattern)])
        {
            Fullcopy = fullcopy,
            Copy = copy,
            Conflict = conflict,
            KickMode = kick,
            Every = every,
            DeleteMethod = deleteMethod,
            Sequences = sequences.Count > 0,
            Forward = forward,
            Map = map,
            Columns = columns,
            TableConflicts = tableConflicts,
            Paused = s.Status != "active",
            Problem = problem,
        };
    }

    /// <summary>A customname/customcols row for this relation and sync; partial when it applies to some targets only.</summary>
    static bool Scoped(IReadOnlyList<BucardoCustom> rows, BucardoRelation r, BucardoSync s, List<string> receivers, out string value, out bool partial)
    {
        var row = rows.FirstOrDefault(c => c.Relation == r.Id && (c.Sync is null || c.Sync == s.Name) && (c.Db is null || receivers.Contains(c.Db)));
        value = row?.Value ?? "";
        partial = row?.Db is not null && receivers.Count > 1;
        return row is not null;
    }

    static string Attached(BucardoCode code, BucardoCatalog catalog)
    {
        var parts = new List<string>();
        if (code.Syncs.Count > 0)
            parts.Add("sync " + string.Join(", ", code.Syncs));
        var tables = catalog.Syncs.SelectMany(s => s.Relations).Where(r => code.Relations.Contains(r.Id)).Select(r => r.Display).Distinct().ToList();
        if (tables.Count > 0)
            parts.Add("table " + string.Join(", ", tables));
        return parts.Count > 0 ? " for " + string.Join("; ", parts) : "";
    }
}
