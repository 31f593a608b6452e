using Ibex.Changes;
using Ibex.Conflicts;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Apply;

/// <summary>
/// The statements an applier has queued for its target and the transactions they finish: several small transactions
/// go in one round trip (an <see cref="NpgsqlBatch"/>). Knows which statements end the last finished transaction
/// (<see cref="Finished"/>), so the beginning of a transaction still being read can wait, and warns of an UPDATE or
/// DELETE that found no row.
/// </summary>
public sealed class ApplyBatch(string targetName, LinkCounters counters, ILogger log)
{
    readonly List<NpgsqlBatchCommand> _statements = [];
    readonly List<CommittedTransaction> _committed = [];
    readonly List<(int Index, ChangeKind Kind)> _rowChecks = [];

    public int Count => _statements.Count;

    /// <summary>Statements up to the end of the last finished transaction.</summary>
    public int Finished { get; private set; }

    /// <summary>The finished transactions in the batch, in commit order.</summary>
    public IReadOnlyList<CommittedTransaction> Committed => _committed;

    public void Add(NpgsqlBatchCommand statement) => _statements.Add(statement);

    public void AddRange(IEnumerable<NpgsqlBatchCommand> statements) => _statements.AddRange(statements);

    /// <summary>An UPDATE or DELETE of one row: a warning names it when it finds none.</summary>
    public void AddRowStatement(NpgsqlBatchCommand statement, ChangeKind kind)
    {
        _rowChecks.Add((_statements.Count, kind));
        _statements.Add(statement);
    }

    /// <summary>The end of a transaction: the origin's position with it, then COMMIT.</summary>
    public void AddCommit(CommitItem commit, TxnCounts counts, List<ConflictRecord> conflicts)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var setup = new NpgsqlBatchCommand("SELECT pg_replication_origin_xact_setup($1, $2)");
        setup.Parameters.Add(new() { Value = commit.EndLsn, NpgsqlDbType = NpgsqlDbType.PgLsn });
        setup.Parameters.Add(new() { Value = commit.CommitTimestamp, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        _statements.Add(setup);
        _statements.Add(new NpgsqlBatchCommand("COMMIT"));
        Finished = _statements.Count;
        _committed.Add(new CommittedTransaction(commit.EndLsn, commit.CommitTimestamp, counts, conflicts));
    }

    /// <summary>
    /// Runs the first <paramref name="count"/> statements in one round trip (which must include every finished
    /// transaction) and keeps the rest; returns the transactions the target committed. A failure is thrown as it is,
    /// with the batch unchanged.
    /// </summary>
    public async Task<List<CommittedTransaction>> ExecuteAsync(NpgsqlConnection connection, int count, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        for (var i = 0; i < count; i++)
            batch.BatchCommands.Add(_statements[i]);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var kept = 0;
        for (var i = 0; i < _rowChecks.Count; i++)
        {
            var (index, kind) = _rowChecks[i];
            if (index >= count)
            {
                _rowChecks[kept++] = (index - count, kind);
                continue;
            }
            if (batch.BatchCommands[index].RecordsAffected == 0)
            {
                counters.AddMissingRows(1);
                log.LogWarning("target {Target}: {Kind} found no row ({Sql})", targetName, kind, batch.BatchCommands[index].CommandText);
            }
        }
        _rowChecks.RemoveRange(kept, _rowChecks.Count - kept);
        _statements.RemoveRange(0, count);
        Finished = Math.Max(0, Finished - count);
        return TakeCommitted();
    }

    /// <summary>The finished transactions, forgotten here (the caller found out which the target committed).</summary>
    public List<CommittedTransaction> TakeCommitted()
    {
        var taken = _committed.ToList();
        _committed.Clear();
        return taken;
    }

    /// <summary>Forgets everything queued (after an error: the target rolled it back).</summary>
    public void Clear()
    {
        _statements.Clear();
        _rowChecks.Clear();
        _committed.Clear();
        Finished = 0;
    }
}
