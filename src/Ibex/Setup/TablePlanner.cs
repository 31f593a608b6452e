using System.Text.RegularExpressions;
using Ibex.Catalog;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// Resolves a sync's table patterns on its first source and checks every other node: each table must exist there
/// (under its mapped name on targets) with the replicated columns and the same types; per-table options (--where,
/// --columns, --map) must name one table each and make sense. Used by <c>sync add</c> and <c>sync add-table</c>.
/// </summary>
public sealed partial class TablePlanner(IReadOnlyDictionary<string, NpgsqlConnection> connections)
{
    /// <summary>Renders the SQL that makes a node's tables match the source, when known (the schema-diff engine).</summary>
    public Func<NpgsqlConnection, NpgsqlConnection, IReadOnlyCollection<QualifiedName>, CancellationToken, Task<string?>>? FixSql { get; init; }

    [GeneratedRegex("\"((?:[^\"]|\"\")+)\"|([A-Za-z_][A-Za-z0-9_$]*)")]
    private static partial Regex Identifiers();

    public async Task<TablePlan> PlanAsync(string where, SyncSpec spec, IReadOnlyCollection<QualifiedName> alreadySynced, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var plan = new TablePlan();
        var first = spec.Sources[0];
        var multiMaster = spec.Sources.Count > 1;
        var streaming = spec.Targets.Count > 0 || multiMaster;
        var tables = await CatalogReader.ResolveAsync(connections[first], spec.Tables, $"{where}: source '{first}'", cancellationToken).ConfigureAwait(false);
        var already = tables.Where(t => alreadySynced.Contains(t.Name)).Select(t => t.Name.Display).ToList();
        if (already.Count > 0)
            plan.Problems.Add($"table {string.Join(", ", already)} {(already.Count == 1 ? "is" : "are")} already in this sync");

        await CheckInheritanceAsync(plan, connections[first], first, tables, alreadySynced, cancellationToken).ConfigureAwait(false);

        var wheres = Assign(plan, tables, spec.Where, "--where");
        var columns = Assign(plan, tables, spec.Columns, "--columns");
        var maps = Assign(plan, tables, spec.Map, "--map");
        if (multiMaster && maps.Count > 0)
            plan.Problems.Add("--map renames tables on targets, which a multi-master sync cannot do (every node is a source of the same tables)");

        foreach (var t in tables)
        {
            var target = maps.TryGetValue(t.Name, out var m) ? TablePattern.ParseName(m) : t.Name;
            IReadOnlyList<string>? cols = columns.TryGetValue(t.Name, out var c) ? [.. c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Unquote)] : null;
            var filter = wheres.GetValueOrDefault(t.Name);
            plan.Tables.Add(new PlannedTable(t, target, filter, cols));
            if (multiMaster && t.KeyColumns.Count == 0)
                plan.Problems.Add($"source '{first}': table {t.Name.Display} has no key, and multi-master needs one to find the row each change is about (add a primary key, or a unique index on NOT NULL columns)");
            if (multiMaster) // the first source receives the others' changes too
                plan.Problems.AddRange(t.Columns.Select(col => TableComparer.IdentityAlwaysProblem(t, col, t.KeyColumns)).OfType<string>().Select(p => $"source '{first}': {p}"));
            if (cols is not null)
                CheckColumns(plan, t, cols);
            if (filter is not null)
                await CheckFilterAsync(plan, connections[first], t, filter, cols, cancellationToken).ConfigureAwait(false);
        }
        if (streaming && !multiMaster)
            CheckKeyless(plan, first, spec.Strict);

        foreach (var other in connections.Keys.Where(n => n != first))
        {
            var isSource = spec.Sources.Contains(other);
            var names = plan.Tables.Select(t => isSource ? t.Name : t.Target).ToList();
            var theirs = await CatalogReader.ReadTablesAsync(connections[other], names, cancellationToken).ConfigureAwait(false);
            var problems = plan.Tables.SelectMany(t => TableComparer.Problems(t, theirs.GetValueOrDefault(isSource ? t.Name : t.Target), bothWays: isSource)).ToList();
            if (isSource)
                problems.AddRange(theirs.Values.Where(t => t.KeyColumns.Count == 0).Select(t => $"{t.Name.Display} has no primary key or unique index on NOT NULL columns, which multi-master needs"));
            if (problems.Count == 0)
                continue;
            plan.Problems.Add($"{(isSource ? "source" : "target")} '{other}': {string.Join("; ", problems)}");
            if (FixSql is not null && maps.Count == 0
                && await FixSql(connections[first], connections[other], [.. plan.Tables.Select(t => t.Name)], cancellationToken).ConfigureAwait(false) is { Length: > 0 } sql)
                plan.Fixes.Add($"-- run on node '{other}' to make its tables match '{first}':\n{sql.TrimEnd()}");
        }
        return plan;
    }

    // Each table is published and copied ONLY (its own rows): a child of a synced table must be synced itself, or its
    // rows would silently stay behind.
    static async Task CheckInheritanceAsync(TablePlan plan, NpgsqlConnection source, string node, IReadOnlyList<TableInfo> tables, IReadOnlyCollection<QualifiedName> alreadySynced, CancellationToken cancellationToken)
    {
        var synced = tables.Select(t => t.Name).Concat(alreadySynced).ToHashSet();
        foreach (var (parent, children) in await CatalogReader.InheritanceChildrenAsync(source, tables, cancellationToken).ConfigureAwait(false))
        {
            var missing = children.Where(c => !synced.Contains(c)).Select(c => c.Display).ToList();
            if (missing.Count > 0)
                plan.Problems.Add($"source '{node}': table {parent.Display} has inheritance children that are not in the sync ({string.Join(", ", missing)}), whose rows would not replicate; list them in --tables too (each replicates to its own table)");
        }
    }

    // A table without a key or REPLICA IDENTITY FULL (and not made FULL for a row filter) replicates like in PostgreSQL's
    // own replication: INSERT and TRUNCATE. Its UPDATEs and DELETEs are refused on the source by PostgreSQL while it is
    // published, which the operator must know before the application meets it.
    static void CheckKeyless(TablePlan plan, string node, bool strict)
    {
        foreach (var t in plan.Tables.Select(p => p.Source).Where(t => !t.IsReplicable && !plan.NeedFullIdentity.Contains(t.Name)))
        {
            if (strict)
                plan.Problems.Add($"source '{node}': table {t.Name.Display} has no primary key, no unique index on NOT NULL columns and is not REPLICA IDENTITY FULL, so only its INSERTs and TRUNCATEs could replicate (--strict); add a primary key, or run ALTER TABLE {t.Name.Quoted} REPLICA IDENTITY FULL, or sync it to a --fullcopy target");
            else
                plan.Warnings.Add($"table {t.Name.Display} has no primary key, no unique index on NOT NULL columns and is not REPLICA IDENTITY FULL: only its INSERTs and TRUNCATEs replicate, and while it is in this sync PostgreSQL refuses UPDATE and DELETE on it on source '{node}'; to replicate UPDATE and DELETE too, add a primary key, or a unique index on NOT NULL columns made its replica identity (ALTER TABLE {t.Name.Quoted} REPLICA IDENTITY USING INDEX ...), or run ALTER TABLE {t.Name.Quoted} REPLICA IDENTITY FULL, or sync it to a --fullcopy target instead (--strict refuses such tables)");
        }
    }

    static Dictionary<QualifiedName, string> Assign(TablePlan plan, IReadOnlyList<TableInfo> tables, IReadOnlyList<TableSetting> settings, string option)
    {
        var result = new Dictionary<QualifiedName, string>();
        foreach (var s in settings)
        {
            var pattern = TablePattern.Parse(s.Table);
            var hits = tables.Where(t => pattern.Matches(t.Name.Schema, t.Name.Name)).ToList();
            if (hits.Count != 1)
                plan.Problems.Add($"{option} '{s.Table}' matches {(hits.Count == 0 ? "no table of this sync" : $"{hits.Count} tables")}; name exactly one synced table");
            else if (!result.TryAdd(hits[0].Name, s.Value))
                plan.Problems.Add($"{option} is given twice for {hits[0].Name.Display}");
        }
        return result;
    }

    static void CheckColumns(TablePlan plan, TableInfo t, IReadOnlyList<string> cols)
    {
        var missing = cols.Where(c => t.Column(c) is null).ToList();
        if (missing.Count > 0)
            plan.Problems.Add($"--columns for {t.Name.Display}: no column {string.Join(", ", missing)} on the source");
        var keyLeftOut = t.KeyColumns.Where(k => !cols.Contains(k)).ToList();
        if (keyLeftOut.Count > 0)
            plan.Problems.Add($"--columns for {t.Name.Display} must include the key column(s) {string.Join(", ", keyLeftOut)}, which identify rows on targets");
    }

    // PostgreSQL evaluates a row filter on old rows too (an UPDATE can move a row out of it), so every column the filter
    // reads must be in the replica identity; otherwise the table needs REPLICA IDENTITY FULL.
    static async Task CheckFilterAsync(TablePlan plan, NpgsqlConnection source, TableInfo t, string filter, IReadOnlyList<string>? cols, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = new NpgsqlCommand($"SELECT 1 FROM {t.Name.Quoted} WHERE ({filter}) LIMIT 0", source);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            plan.Problems.Add($"--where for {t.Name.Display}: {e.MessageText}");
            return;
        }
        var referenced = Identifiers().Matches(filter).Select(m => m.Groups[1].Success ? m.Groups[1].Value.Replace("\"\"", "\"", StringComparison.Ordinal) : m.Groups[2].Value.ToLowerInvariant())
            .Where(n => t.Column(n) is not null).Distinct().ToList();
        if (t.ReplicaIdentity == 'f' || referenced.All(t.KeyColumns.Contains))
            return;
        if (cols is not null)
        {
            plan.Problems.Add($"--where for {t.Name.Display} reads non-key column(s) {string.Join(", ", referenced.Except(t.KeyColumns))}, which needs REPLICA IDENTITY FULL, and a --columns list cannot cover all columns; filter on key columns or drop --columns");
            return;
        }
        plan.NeedFullIdentity.Add(t.Name);
        plan.Warnings.Add($"table {t.Name.Display}: the row filter reads non-key column(s) {string.Join(", ", referenced.Except(t.KeyColumns))}, so its replica identity becomes FULL on the source (UPDATEs and DELETEs log whole old rows)");
    }

    static string Unquote(string column) => column.Length >= 2 && column[0] == '"' && column[^1] == '"' ? column[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : column.ToLowerInvariant();
}
