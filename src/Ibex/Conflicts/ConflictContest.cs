using Ibex.Changes;
using Npgsql;

namespace Ibex.Conflicts;

/// <summary>
/// Decides one conflict of a remote change (<see cref="ConflictRules.Decide"/>) against the local versions it meets,
/// logs it, and carries out <c>abort</c> and <c>custom</c>; <see cref="ChangeResolver"/> says which versions meet.
/// </summary>
public sealed class ConflictContest(MultiMasterLink link, Func<NpgsqlConnection> connection, TransactionKeys keys)
{
    /// <summary>Would the remote version beat these local versions under the strategy (no log, no side effect)?</summary>
    public bool Beats(ChangeResolver.Step x, IReadOnlyList<LocalRow> met)
        => met.Count == 0 || ConflictRules.Decide(new ConflictCase(ConflictKind.UpdateExists,
            [.. met.Select(l => new LocalVersion(l.Version, ConflictRules.IsConcurrent(l.Version, link.RemoteNode, x.Begin.Seen, link.Coordinator.Baseline)))], x.Remote), x.Strategy) == ConflictOutcome.ApplyRemote;

    /// <summary>Decides one conflict (<see cref="ConflictRules.Decide"/>), logs it, and carries out abort and custom.</summary>
    public Task<ConflictOutcome> DecideAsync(ChangeResolver.Step x, ConflictKind kind, IReadOnlyList<LocalRow> met, bool oneRow, CancellationToken cancellationToken)
        => DecideAsync(x, Case(x, kind, met, oneRow), met, cancellationToken);

    /// <summary>The conflict as <see cref="ConflictRules.Decide"/> takes it.</summary>
    public ConflictCase Case(ChangeResolver.Step x, ConflictKind kind, IReadOnlyList<LocalRow> met, bool oneRow)
        => new(kind, [.. met.Select(l => new LocalVersion(l.Version, ConflictRules.IsConcurrent(l.Version, link.RemoteNode, x.Begin.Seen, link.Coordinator.Baseline)))], x.Remote)
        {
            OneRow = oneRow,
            Superseded = x.Superseded,
            OperatorResolved = x.Strategy.Kind == StrategyKind.Abort && link.IsOperatorResolved(x.W.Change.Relation.Name, x.W.Key, x.Begin.CommitLsn, x.Begin.CommitTimestamp),
        };

    public async Task<ConflictOutcome> DecideAsync(ChangeResolver.Step x, ConflictCase conflict, IReadOnlyList<LocalRow> met, CancellationToken cancellationToken)
    {
        var (w, begin, kind) = (x.W, x.Begin, conflict.Kind);
        var outcome = ConflictRules.Decide(conflict, x.Strategy);
        var shown = met.Count == 0 ? Gone(new RowVersion(null, null)) : met[ConflictRules.Strongest(conflict, x.Strategy)];
        switch (outcome)
        {
            case ConflictOutcome.Abort:
                throw new ConflictAbortException(Record(x, kind, shown, "aborted"));
            case ConflictOutcome.CallCustom:
                var kept = await CustomResolver.ApplyAsync(x.Strategy, w.Plan, w.Change, shown, begin, connection(), x.Result, cancellationToken).ConfigureAwait(false);
                keys.Set(w.Plan.Target, w.Key, kept ? KeyState.Present : KeyState.Absent);
                if (!kept)
                    AddTombstone(x, w.Key);
                x.Result.Conflicts.Add(Record(x, kind, shown, "custom"));
                break;
            default:
                if (ConflictRules.IsLogged(conflict, outcome))
                    x.Result.Conflicts.Add(Record(x, kind, shown, outcome == ConflictOutcome.KeepLocal ? "local" : "remote"));
                break;
        }
        return outcome;
    }

    ConflictRecord Record(ChangeResolver.Step x, ConflictKind kind, LocalRow local, string winner)
    {
        var rel = x.W.Change.Relation;
        var remoteRow = x.W.Change.NewRow is { } n ? KeyJson.Row(rel, n) : null;
        return new ConflictRecord(link.Sync, rel.Name.Schema, rel.Name.Name, x.W.Key, kind, link.LocalNode, local.Version.Node, link.RemoteNode,
            local.RowJson == "null" ? null : local.RowJson, remoteRow, local.Version.CommitTimestamp, x.Remote.CommitTimestamp, x.Strategy.Text, winner, x.Begin.CommitLsn);
    }

    /// <summary>A deleted version, as a local row with no values.</summary>
    public static LocalRow Gone(RowVersion deleted) => new("null", deleted, []);

    /// <summary>The change's key tombstone: the remote version deleted or replaced it on its node.</summary>
    public void AddTombstone(ChangeResolver.Step x, string key)
        => x.Result.Statements.Add(ConflictStatements.Tombstone(link.Sync, x.W.Change.Relation, key, x.Begin.CommitTimestamp, link.RemoteNode));
}
