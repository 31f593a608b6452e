using Ibex.Schema.Diffing;
using Ibex.Schema.Model;
using Ibex.Schema.Ordering;
using Ibex.Schema.Planning;
using Ibex.Schema.Reading;
using Npgsql;

namespace Ibex.Schema;

/// <summary>
/// Compares two databases' schemas from their catalogs and plans the SQL that makes the second (<c>to</c>) match
/// the first (<c>from</c>). Nothing is executed on either side.
/// </summary>
public static class SchemaDiff
{
    /// <summary>
    /// Reads both schemas and returns the statements that make <paramref name="to"/>'s schema match
    /// <paramref name="from"/>'s. The connections must be open (or openable) and not inside a transaction.
    /// </summary>
    public static async Task<SchemaDiffResult> DiffAsync(NpgsqlConnection from, NpgsqlConnection to, SchemaDiffOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(options);
        if (ReferenceEquals(from, to))
        {
            var model = await SchemaReader.ReadAsync(from, options.Schemas, "--from", cancellationToken).ConfigureAwait(false);
            return Diff(model, model, options);
        }
        // Two servers (or two sessions): read both at once.
        var source = SchemaReader.ReadAsync(from, options.Schemas, "--from", cancellationToken);
        var target = SchemaReader.ReadAsync(to, options.Schemas, "--to", cancellationToken);
        await Task.WhenAll(source, target).ConfigureAwait(false);
        var (fromModel, toModel) = (await source.ConfigureAwait(false), await target.ConfigureAwait(false));
        if (from.PostgreSqlVersion.Major != to.PostgreSqlVersion.Major)
            fromModel = await CrossVersionViews.AlignAsync(fromModel, toModel, to, cancellationToken).ConfigureAwait(false);
        var result = Diff(fromModel, toModel, options);
        if (to.PostgreSqlVersion.Major >= from.PostgreSqlVersion.Major)
            return result;
        // An older --to server: name what it cannot take.
        var tables = options.OnlyTables?.Select(Keys.Table).ToHashSet(StringComparer.Ordinal);
        var newer = NewerFeatures.Warnings(fromModel, toModel, to.PostgreSqlVersion.Major)
            .Where(w => tables is null || tables.Contains(w.Object.Key) || (w.Object.ParentKey is { } p && tables.Contains(p)))
            .Select(w => w.Message).ToList();
        return newer.Count == 0 ? result : new SchemaDiffResult(result.Statements, options.AllowHazards, [.. result.Warnings, .. newer]);
    }

    /// <summary>Plans the statements between two models already read.</summary>
    internal static SchemaDiffResult Diff(SchemaModel from, SchemaModel to, SchemaDiffOptions options)
    {
        var scope = options.OnlyTables is { } tables ? DiffScope.ForTables(from, to, tables, options.WithPrivileges) : DiffScope.Whole(options.WithPrivileges);
        ChangeSet? set = null;
        var context = new DiffContext(from, to, key => set?.IsCreated(key) ?? false);
        set = Classifier.Classify(from, to, scope, context);
        Cascade.Apply(set, from, to, scope);
        var graph = PlanGraph.Build(set, from, to, context);
        var ordered = TopologicalOrder.Sort(graph.Nodes, out var cycles);
        // Limited to some tables (sync add): objects of kinds the diff does not handle are not those tables' business.
        var unsupported = options.OnlyTables is null ? UnsupportedWarnings(from, to) : [];
        var warnings = context.Warnings.Concat(unsupported).Concat(cycles.Select(n => $"dependency cycle at the step that changes {n.Display}; check the order of the script before running it")).Distinct(StringComparer.Ordinal).ToList();
        return new SchemaDiffResult(StatementAssembler.Assemble(ordered), options.AllowHazards, warnings);
    }

    /// <summary>One warning for each object of a kind the diff does not handle, naming it and where it is.</summary>
    static IEnumerable<string> UnsupportedWarnings(SchemaModel from, SchemaModel to)
    {
        var inFrom = from.Unsupported.ToHashSet(StringComparer.Ordinal);
        var inTo = to.Unsupported.ToHashSet(StringComparer.Ordinal);
        foreach (var name in inFrom.Union(inTo).Order(StringComparer.Ordinal))
        {
            var side = inFrom.Contains(name) ? inTo.Contains(name) ? "on both sides" : "only on --from" : "only on --to";
            yield return $"{name} ({side}) is not compared by schema diff; create, change or drop it by hand";
        }
    }
}
