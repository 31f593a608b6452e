namespace Ibex.Schema.Diffing;

/// <summary>One statement of the plan, with its placement and hazards.</summary>
internal sealed record PlannedStatement(string Sql, StatementPlacement Placement, IReadOnlyList<Hazard> Hazards)
{
    public PlannedStatement(string sql, params Hazard[] hazards) : this(sql, StatementPlacement.Transaction, hazards) { }

    /// <summary>
    /// For a statement planned after COMMIT (CREATE INDEX CONCURRENTLY): the form to use inside the transaction
    /// when a statement there needs its result.
    /// </summary>
    public PlannedStatement? InTransaction { get; init; }

    public bool DataLoss => Hazards.Any(h => h.DataLoss);
}
