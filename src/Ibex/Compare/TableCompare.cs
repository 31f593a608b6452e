namespace Ibex.Compare;

/// <summary>
/// Compares one table between a source and a target without moving the table: <see cref="FindAsync"/> narrows the
/// differences down from summaries computed on each server, <see cref="RecheckAsync"/> fetches just the differing
/// rows again (after the sync caught up, when it can) and sorts out what was only in flight.
/// </summary>
public abstract class TableCompare(TableSide source, TableSide target)
{
    public TableSide Source { get; } = source;

    public TableSide Target { get; } = target;

    public long SourceRows { get; protected set; }

    public long TargetRows { get; protected set; }

    /// <summary>Finds the rows that differ (values not fetched yet).</summary>
    public abstract Task<IReadOnlyList<RowDifference>> FindAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Looks at the given rows again on both nodes: returns those that still differ (with their values for the first
    /// <paramref name="valueLimit"/> rows) and those that now match.
    /// </summary>
    public abstract Task<(IReadOnlyList<RowDifference> Still, IReadOnlyList<RowDifference> Settled)> RecheckAsync(IReadOnlyList<RowDifference> found, int valueLimit, CancellationToken cancellationToken);

    /// <summary>Runs the same work on both sides at once (each side has its own connection).</summary>
    protected async Task<(T Source, T Target)> BothAsync<T>(Func<TableSide, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var s = work(Source);
        var t = work(Target);
        await Task.WhenAll(s, t).ConfigureAwait(false);
        return (await s.ConfigureAwait(false), await t.ConfigureAwait(false));
    }

    /// <summary>Names of the columns whose values differ between two rows.</summary>
    protected IReadOnlyList<string> ChangedColumns(string?[]? source, string?[]? target)
    {
        if (source is null || target is null)
            return [];
        var changed = new List<string>();
        for (var i = 0; i < source.Length; i++)
            if (!string.Equals(source[i], target[i], StringComparison.Ordinal))
                changed.Add(Source.Sql.Columns[i]);
        return changed;
    }
}
