using Ibex.Connections;

namespace Ibex.Declarative;

/// <summary>
/// Compares the configuration wanted with the one a control database holds and lists the steps between them, in the
/// order they must run. Pure: no database, so every rule is unit-tested. A sync whose nodes change, or whose every
/// table changes shape (filter, columns, name on targets), is made anew; a table that changes shape is removed and
/// added again (copied anew); settings, per-table conflict strategies and pause/resume change in place.
/// </summary>
public static class ConfigPlanner
{
    public static ApplyPlan Plan(ReplicationConfig desired, ReplicationConfig current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(current);
        var steps = new List<PlanStep>();
        var currentNodes = current.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var desiredNodes = desired.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var n in desired.Nodes)
        {
            if (!currentNodes.TryGetValue(n.Name, out var now))
                steps.Add(new PlanStep(StepKind.AddNode, n.Name, $"node '{n.Name}': {ConnectionString.Redact(n.Dsn)}") { Node = n });
            else if (!SameDsn(now.Dsn, n.Dsn))
                steps.Add(new PlanStep(StepKind.ChangeNode, n.Name, ConnectionString.Redact(now.Dsn) == ConnectionString.Redact(n.Dsn)
                    ? $"node '{n.Name}': connection settings of {ConnectionString.Redact(n.Dsn)} (password or options)"
                    : $"node '{n.Name}': connection {ConnectionString.Redact(now.Dsn)} -> {ConnectionString.Redact(n.Dsn)}") { Node = n });
        }
        foreach (var n in current.Nodes.Where(n => !desiredNodes.ContainsKey(n.Name)))
            steps.Add(new PlanStep(StepKind.RemoveNode, n.Name, $"node '{n.Name}'"));

        var currentSyncs = current.Syncs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var desiredSyncs = desired.Syncs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var s in current.Syncs.Where(s => !desiredSyncs.ContainsKey(s.Name)))
            steps.Add(new PlanStep(StepKind.RemoveSync, s.Name, $"sync '{s.Name}'"));
        foreach (var s in desired.Syncs)
        {
            if (currentSyncs.TryGetValue(s.Name, out var now))
                steps.AddRange(SyncSteps(s, now));
            else
                steps.Add(new PlanStep(StepKind.AddSync, s.Name, $"sync '{s.Name}': {Describe(s)}") { Sync = s });
        }
        return new ApplyPlan([.. steps.OrderBy(s => s.Kind)]);
    }

    static IEnumerable<PlanStep> SyncSteps(SyncConfig want, SyncConfig now)
    {
        var where = $"sync '{want.Name}'";
        var nowTables = now.Tables.ToDictionary(t => t.Name);
        var wantTables = want.Tables.ToDictionary(t => t.Name);
        var reshaped = want.Tables.Where(t => nowTables.TryGetValue(t.Name, out var n) && !n.SameShape(t)).ToList();
        var removed = now.Tables.Where(t => !wantTables.ContainsKey(t.Name)).ToList();
        var added = want.Tables.Where(t => !nowTables.ContainsKey(t.Name)).ToList();
        if (!want.SameMembers(now) || removed.Count + reshaped.Count == now.Tables.Count && removed.Count + reshaped.Count > 0)
        {
            var why = !want.SameMembers(now) ? $"its nodes change from {Members(now)} to {Members(want)}" : "none of its tables stays as it is";
            yield return new PlanStep(StepKind.RecreateSync, want.Name, $"{where} is made anew, {why}: {Describe(want)}") { Sync = want };
            yield break;
        }
        var settings = Settings(want, now);
        if (settings.Count > 0)
            yield return new PlanStep(StepKind.ChangeSync, want.Name, $"{where}: {string.Join(", ", settings)}") { Sync = want };
        if (removed.Count + reshaped.Count > 0)
            yield return new PlanStep(StepKind.RemoveTables, want.Name, $"{where}: tables {Names(removed.Concat(reshaped))}" + (reshaped.Count > 0 ? $" ({Names(reshaped)} added again with new settings)" : "") + " (their rows stay on the targets)")
            { Sync = want, Tables = [.. removed.Concat(reshaped.Select(t => nowTables[t.Name]))] };
        if (added.Count + reshaped.Count > 0)
            yield return new PlanStep(StepKind.AddTables, want.Name, $"{where}: tables {Names(added.Concat(reshaped))}") { Sync = want, Tables = [.. added.Concat(reshaped)] };
        var conflicts = want.Tables.Where(t => nowTables.TryGetValue(t.Name, out var n) && n.SameShape(t) && n.Conflict != t.Conflict).ToList();
        if (conflicts.Count > 0)
            yield return new PlanStep(StepKind.SetTableConflicts, want.Name, $"{where}: conflict strategy of {string.Join(", ", conflicts.Select(t => $"{t.Name.Display} {nowTables[t.Name].Conflict ?? "(the sync's)"} -> {t.Conflict ?? "(the sync's)"}"))}")
            { Sync = want, Tables = conflicts };
        if (want.Enabled != now.Enabled)
            yield return new PlanStep(want.Enabled ? StepKind.Resume : StepKind.Pause, want.Name, $"{where}: {(want.Enabled ? "resumed" : "paused")}") { Sync = want };
    }

    static List<string> Settings(SyncConfig want, SyncConfig now)
    {
        var list = new List<string>();
        if (want.Copy != now.Copy)
            list.Add($"copy {now.Copy.ToString().ToLowerInvariant()} -> {want.Copy.ToString().ToLowerInvariant()}");
        if (want.Conflict != now.Conflict)
            list.Add($"conflict {now.Conflict} -> {want.Conflict}");
        if (want.Ddl != now.Ddl)
            list.Add($"ddl {now.Ddl.ToString().ToLowerInvariant()} -> {want.Ddl.ToString().ToLowerInvariant()}");
        var (w, n) = (want.Options, now.Options);
        Compare("mode", n.Mode, w.Mode);
        Compare("every_seconds", n.EverySeconds, w.EverySeconds);
        Compare("forward", n.Forward, w.Forward);
        Compare("auto_add_columns", n.AutoAddColumns, w.AutoAddColumns);
        Compare("sequences", n.Sequences, w.Sequences);
        Compare("delete_method", n.DeleteMethod, w.DeleteMethod);
        Compare("max_retained_bytes", n.MaxRetainedBytes, w.MaxRetainedBytes);
        Compare("on_retention", n.OnRetention, w.OnRetention);
        return list;

        void Compare<T>(string key, T before, T after)
        {
            if (!EqualityComparer<T>.Default.Equals(before, after))
                list.Add($"{key} {Text(before)} -> {Text(after)}");
        }
    }

    static string Text(object? value) => value switch
    {
        null => "none",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Two connection strings reach the same place with the same settings (whatever their form).</summary>
    public static bool SameDsn(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a == b)
            return true;
        try
        {
            return Canonical(a) == Canonical(b);
        }
        catch (IbexException)
        {
            return false;
        }

        static string Canonical(string dsn)
        {
            var builder = ConnectionString.Parse(dsn);
            return string.Join('\n', builder.Keys.Cast<string>().Order(StringComparer.Ordinal).Select(k => k + "=" + builder[k]));
        }
    }

    static string Describe(SyncConfig s)
    {
        var to = s.Targets.Concat(s.Fullcopy.Select(f => f + " (fullcopy)")).DefaultIfEmpty("each other");
        return $"{s.Tables.Count} table(s) from {string.Join(", ", s.Sources)} to {string.Join(", ", to)}";
    }

    static string Members(SyncConfig s) => $"sources {string.Join(",", s.Sources)}; targets {string.Join(",", s.Targets.Concat(s.Fullcopy).DefaultIfEmpty("none"))}";

    static string Names(IEnumerable<TableConfig> tables) => string.Join(", ", tables.Select(t => t.Name.Display));
}
