using Ibex.Apply;
using Ibex.Changes;
using Ibex.Conflicts;
using Ibex.Sql;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Appliers of several links into one node look up and guard the same hot rows: each batch takes its locks in one
/// order (<see cref="ConflictLookup.LockOrder"/>), whatever order its changes came in, so two batches never hold one
/// row each while waiting for the other's (a deadlock PostgreSQL breaks only after deadlock_timeout).
/// </summary>
public sealed class LockOrderTests
{
    static readonly RelationInfo Rel = new(1, 1, new QualifiedName("Sales", "Order Items"), ["k", "u", "v"], [23, 23, 25], [0], false);
    static readonly RelationPlan Plan = new(Rel, Rel.Name);

    static ConflictLookup Key(int k) => ConflictLookups.Row(Plan, RowImage.FromText([k.ToString(System.Globalization.CultureInfo.InvariantCulture), "0", "x"]), [0], null);

    static ConflictLookup Unique(int u) => ConflictLookups.Row(Plan, RowImage.FromText(["0", u.ToString(System.Globalization.CultureInfo.InvariantCulture), "x"]), [1], [0]);

    static ConflictLookup Read(string name) => new(new NpgsqlBatchCommand(name), ConflictLookupKind.Tombstone);

    [Fact]
    public void Two_batches_meeting_the_same_rows_in_opposite_orders_lock_them_in_one_order()
    {
        var first = ConflictLookup.InLockOrder([Key(7), Unique(4), Key(3), Key(10)]);
        var second = ConflictLookup.InLockOrder([Key(10), Key(3), Unique(4), Key(7)]);

        first.Select(l => l.LockOrder).ShouldBe(second.Select(l => l.LockOrder));
        first.Select(l => l.LockOrder).Distinct().Count().ShouldBe(4);
    }

    [Fact]
    public void The_locks_come_first_and_the_reads_after_them_in_the_order_given()
    {
        var (k9, k2, t9, t2, seen) = (Key(9), Key(2), Read("tomb 9"), Read("tomb 2"), Read("seen 9"));
        var valueLock = new ConflictLookup(new NpgsqlBatchCommand("value lock"), ConflictLookupKind.ValueLock) { LockOrder = "0\"Sales\".\"Order Items\"\u0001{\"u\":\"4\"}" };

        var ordered = ConflictLookup.InLockOrder([k9, seen, t9, k2, t2, valueLock]);

        ordered.ShouldBe([valueLock, k2, k9, seen, t9, t2]);
    }
}
