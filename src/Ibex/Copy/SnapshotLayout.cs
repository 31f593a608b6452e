using Ibex.Apply;
using Ibex.Catalog;
using Ibex.Connections;
using Npgsql;

namespace Ibex.Copy;

/// <summary>
/// The copied tables as they are in the copy's snapshot. A copy is planned from the source's catalog a moment before
/// its snapshot is taken: a column added in between would be left out of the copied rows (its values silently lost
/// on the targets) and one dropped would fail the copy. So the columns are read again inside the snapshot, and each
/// target is checked for them first: a target that lacks one stops the copy with the statement that fixes it.
/// </summary>
public static class SnapshotLayout
{
    public static async Task<IReadOnlyList<CopyTask>> ReadAsync(IReadOnlyList<CopyTask> tasks, NpgsqlConnectionStringBuilder source, string sourceName,
        IReadOnlyDictionary<string, NpgsqlConnectionStringBuilder> targets, string snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(targets);
        IReadOnlyDictionary<Sql.QualifiedName, TableInfo> atSnapshot;
        await using (var conn = await SnapshotSession.OpenAsync(source, sourceName, snapshot, cancellationToken).ConfigureAwait(false))
        {
            await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
            atSnapshot = await CatalogReader.ReadTablesAsync(conn, tasks.Select(t => t.Table.Name).Distinct(), cancellationToken).ConfigureAwait(false);
        }
        var result = new List<CopyTask>();
        foreach (var task in tasks)
        {
            // A table gone by the snapshot fails its copy as before, naming it.
            var table = atSnapshot.GetValueOrDefault(task.Table.Name) ?? task.Table;
            var columns = task.Columns is { } only ? table.Columns.Where(c => only.Contains(c.Name)) : table.WritableColumns;
            foreach (var d in task.Targets)
                await CheckTargetAsync(targets[d.Node], d, [.. columns], cancellationToken).ConfigureAwait(false);
            result.Add(task with { Table = table });
        }
        return result;
    }

    static async Task CheckTargetAsync(NpgsqlConnectionStringBuilder settings, CopyDestination d, IReadOnlyList<ColumnInfo> columns, CancellationToken cancellationToken)
    {
        await using var conn = await NodeConnections.OpenAsync(settings, $"target '{d.Node}'", "catalog", cancellationToken).ConfigureAwait(false);
        await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
        // A missing table is reported by the copy itself, as before.
        if (!(await CatalogReader.ReadTablesAsync(conn, [d.Table], cancellationToken).ConfigureAwait(false)).TryGetValue(d.Table, out var target))
            return;
        var drift = SchemaDrift.Compare(columns, target);
        if (drift.Any)
            throw new ApplyException($"target '{d.Node}': {drift.Describe()}; the copy waits here, nothing is lost: run on '{d.Node}': {string.Join(" ", drift.FixStatements)} and it resumes by itself", false);
    }
}
