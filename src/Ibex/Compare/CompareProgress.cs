using Ibex.Sql;

namespace Ibex.Compare;

/// <summary>
/// Where a comparison is: the table pair being compared (the <paramref name="Index"/>th of <paramref name="Count"/>),
/// rows compared so far over all pairs, rows expected in total (from the tables' statistics, an estimate), and the time
/// taken. <paramref name="Done"/> is true once this pair is compared.
/// </summary>
public sealed record CompareProgress(QualifiedName Table, string Source, string Target, int Index, int Count, long RowsCompared, long RowsEstimated, TimeSpan Elapsed, bool Done)
{
    /// <summary>Time left at the speed so far, when it can be told (some rows compared, more expected).</summary>
    public TimeSpan? Remaining(TimeSpan elapsed) => RowsCompared > 0 && RowsEstimated > RowsCompared
        ? TimeSpan.FromSeconds(Math.Round(elapsed.TotalSeconds * (RowsEstimated - RowsCompared) / RowsCompared))
        : null;
}
