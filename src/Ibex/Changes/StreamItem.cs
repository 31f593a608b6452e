using NpgsqlTypes;

namespace Ibex.Changes;

/// <summary>What flows from a source reader to each target's applier, in source commit order.</summary>
public abstract record StreamItem
{
    /// <summary>Approximate memory held by this item.</summary>
    public virtual int ByteSize => 48;
}

/// <summary>
/// Start of a source transaction. <see cref="CommitLsn"/> is the LSN of its commit record. In multi-master syncs,
/// <see cref="Seen"/> says, per other node, the commit time of the newest change from that node the source had
/// applied before this transaction: a local row version newer than that was unknown to the source (a real conflict).
/// </summary>
public sealed record BeginItem(NpgsqlLogSequenceNumber CommitLsn, DateTime CommitTimestamp, uint Xid, string? Origin, IReadOnlyDictionary<string, DateTime>? Seen = null) : StreamItem;

/// <summary>One row change inside the current transaction.</summary>
public sealed record ChangeItem(Change Change) : StreamItem
{
    public override int ByteSize => Change.ByteSize;
}

/// <summary>End of the current transaction; <see cref="EndLsn"/> is what the target's origin records.</summary>
public sealed record CommitItem(NpgsqlLogSequenceNumber CommitLsn, NpgsqlLogSequenceNumber EndLsn, DateTime CommitTimestamp) : StreamItem;

/// <summary>
/// Everything committed on the source before <see cref="Lsn"/> has been sent: once a target has applied all items
/// before this one, its position may advance to <see cref="Lsn"/> (wait markers, skipped transactions, idle progress).
/// </summary>
/// <see cref="Heartbeat"/> is set for the daemon's heartbeat messages: no later source transaction committed before it.
public sealed record MarkerItem(NpgsqlLogSequenceNumber Lsn, DateTime? Heartbeat = null) : StreamItem;

/// <summary>
/// A schema change captured on the source (<c>--ddl replicate</c>) inside the current transaction, at its place among
/// the row changes: the applier runs <see cref="Sql"/> right there, in the same target transaction, with the source
/// session's <see cref="SearchPath"/>; a statement that cannot run in a transaction (<see cref="Transactional"/> false:
/// CREATE/DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY, DETACH PARTITION … CONCURRENTLY) runs on its own after what
/// came before is committed. <see cref="Created"/>, <see cref="Dropped"/> and <see cref="Renamed"/> are the sync's
/// tables the statement created (in a schema the sync covers), dropped, or renamed or moved: the sync follows them.
/// </summary>
public sealed record DdlItem(string Sql, string Tag, string SearchPath, string Role, bool Transactional) : StreamItem
{
    public IReadOnlyList<Sql.QualifiedName> Created { get; init; } = [];

    public IReadOnlyList<Sql.QualifiedName> Dropped { get; init; } = [];

    public IReadOnlyList<(Sql.QualifiedName From, Sql.QualifiedName To)> Renamed { get; init; } = [];

    /// <summary>The position of the statement's message in the source's WAL (multi-master: what the DDL lock waits for).</summary>
    public NpgsqlTypes.NpgsqlLogSequenceNumber Lsn { get; init; }

    public override int ByteSize => 96 + 2 * (Sql.Length + SearchPath.Length);
}
