using Ibex.Catalog;
using Ibex.Changes;
using Ibex.Connections;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Apply;

/// <summary>
/// Checks each new layout of a source table against its target table before anything of it is applied: a missing
/// column or a changed type stops the link with the statement that fixes the target (or, with auto-add, the column is
/// added). A layout already checked (a RELATION message repeated after a restart of the stream) is not checked again.
/// </summary>
public sealed class TargetLayoutCheck(
    NpgsqlConnectionStringBuilder settings,
    string targetName,
    Func<QualifiedName, CancellationToken, Task<TableInfo?>>? sourceTable,
    bool autoAddColumns,
    ILogger log)
{
    readonly Dictionary<QualifiedName, string> _checked = [];
    readonly HashSet<QualifiedName> _partitioned = [];

    /// <summary>Whether a checked target table is partitioned (TRUNCATE ONLY does not apply to it).</summary>
    public bool IsPartitioned(QualifiedName target) => _partitioned.Contains(target);

    /// <summary>Whether this layout of <paramref name="relation"/> was already found to fit <paramref name="target"/>.</summary>
    public bool IsKnown(RelationInfo relation, QualifiedName target)
        => _checked.TryGetValue(target, out var known) && known == Layout(relation);

    /// <summary>Checks (and with auto-add, fixes) the target; <paramref name="exec"/> runs a fix on the apply session.</summary>
    public async Task CheckAsync(RelationInfo relation, QualifiedName target, Func<string, CancellationToken, Task> exec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(relation);
        ArgumentNullException.ThrowIfNull(exec);
        // A separate session reads the catalog with search_path = pg_catalog (so type names compare with the source's)
        // without touching the apply session's search_path, which the target's own triggers may rely on.
        IReadOnlyDictionary<QualifiedName, TableInfo> found;
        await using (var catalog = await NodeConnections.OpenAsync(settings, $"target '{targetName}'", "catalog", cancellationToken).ConfigureAwait(false))
        {
            await CatalogReader.PrepareSessionAsync(catalog, cancellationToken).ConfigureAwait(false);
            found = await CatalogReader.ReadTablesAsync(catalog, [target], cancellationToken).ConfigureAwait(false);
        }
        if (!found.TryGetValue(target, out var info))
            throw new ApplyException($"target '{targetName}': table {target.Display} does not exist; create it (ibex schema diff prints the SQL) and the sync retries by itself", false);
        var source = sourceTable is null ? null : await sourceTable(relation.Name, cancellationToken).ConfigureAwait(false);
        var drift = SchemaDrift.Compare(relation, info, source);
        if (drift.Missing.Count > 0 && drift.Changed.Count == 0 && autoAddColumns && source is not null)
        {
            foreach (var sql in drift.FixStatements)
                await exec(sql.TrimEnd(';'), cancellationToken).ConfigureAwait(false);
            log.LogInformation("target {Target}: added column(s) {Columns} to {Table}", targetName, string.Join(", ", drift.Missing.Select(c => c.Name)), target.Display);
        }
        else if (drift.Any)
            throw new ApplyException($"target '{targetName}': {drift.Describe()}; the sync waits here, nothing is lost: run on '{targetName}': {string.Join(" ", drift.FixStatements)} and it resumes by itself", false);
        _checked[target] = Layout(relation);
        if (info.Partitioned)
            _partitioned.Add(target);
    }

    static string Layout(RelationInfo relation) => string.Join(',', relation.Columns.Zip(relation.ColumnTypes, (c, t) => c + ":" + t));
}
