namespace Ibex.Control.Model;

/// <summary>A database Ibex replicates to or from. <see cref="Dsn"/> may hold a password: never print it, use <see cref="SafeDsn"/>.</summary>
public sealed record NodeRecord(string Name, string Dsn, int ServerVersionNum, DateTime CreatedAt)
{
    /// <summary>Slots on this node are created with <c>failover = true</c> (PostgreSQL 17+, <c>node add --failover-slots</c>).</summary>
    public bool FailoverSlots { get; init; }

    public string SafeDsn => Connections.ConnectionString.Redact(Dsn);
}
