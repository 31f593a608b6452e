using Ibex.Changes;
using Ibex.Sql;
using Ibex.Tests.Operations;
using NpgsqlTypes;
using Shouldly;

namespace Ibex.Tests.Changes;

public class SpillingQueueTests
{
    static readonly RelationInfo Rel = new(1, 1, new QualifiedName("public", "t"), ["id", "v"], [23, 25], [0], false);

    static ChangeItem Insert(int i) => new(new Change(ChangeKind.Insert, Rel, null, RowImage.FromText([i.ToString(System.Globalization.CultureInfo.InvariantCulture), i % 10 == 0 ? null : new string('x', 1000)])));

    [Fact]
    public async Task The_consumer_sees_a_transaction_at_its_commit_or_in_groups_while_it_is_long()
    {
        await using var q = new SpillingQueue(memoryBudgetBytes: 1 << 20);
        var ct = TestContext.Current.CancellationToken;
        await q.EnqueueAsync(new BeginItem(new NpgsqlLogSequenceNumber(100), DateTime.UtcNow, 7, null), ct);
        await q.EnqueueAsync(Insert(1), ct);
        q.TryDequeue(out _).ShouldBeFalse();
        await q.EnqueueAsync(new CommitItem(new NpgsqlLogSequenceNumber(100), new NpgsqlLogSequenceNumber(200), DateTime.UnixEpoch), ct);
        for (var n = 0; n < 3; n++)
            q.TryDequeue(out _).ShouldBeTrue();
        q.TryDequeue(out _).ShouldBeFalse();
        for (var i = 0; i < SpillingQueue.PublishEvery; i++)
            await q.EnqueueAsync(Insert(i), ct);
        for (var i = 0; i < SpillingQueue.PublishEvery; i++)
            q.TryDequeue(out _).ShouldBeTrue();
        q.TryDequeue(out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Items_past_the_budget_go_to_disk_and_come_back_in_order()
    {
        await using var q = new SpillingQueue(memoryBudgetBytes: 20_000);
        var ct = TestContext.Current.CancellationToken;
        await q.EnqueueAsync(new BeginItem(new NpgsqlLogSequenceNumber(100), DateTime.UtcNow, 7, "ibex_x"), ct);
        for (var i = 0; i < 1000; i++)
            await q.EnqueueAsync(Insert(i), ct);
        await q.EnqueueAsync(new CommitItem(new NpgsqlLogSequenceNumber(100), new NpgsqlLogSequenceNumber(200), DateTime.UnixEpoch), ct);
        q.MemoryBytes.ShouldBeLessThanOrEqualTo(20_000 + 2_000);
        q.SpilledItemsTotal.ShouldBeGreaterThan(900);
        q.Count.ShouldBe(1002);

        var begin = (BeginItem)await q.DequeueAsync(ct);
        begin.Origin.ShouldBe("ibex_x");
        for (var i = 0; i < 1000; i++)
        {
            // Interleave producing, to exercise reading a file that is still being written.
            if (i == 500)
                await q.EnqueueAsync(new MarkerItem(new NpgsqlLogSequenceNumber(300)), ct);
            var c = ((ChangeItem)await q.DequeueAsync(ct)).Change;
            c.NewRow!.Text(0).ShouldBe(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            c.NewRow.IsNull(1).ShouldBe(i % 10 == 0);
            c.Relation.ShouldBeSameAs(Rel);
        }
        ((CommitItem)await q.DequeueAsync(ct)).EndLsn.ShouldBe(new NpgsqlLogSequenceNumber(200));
        ((MarkerItem)await q.DequeueAsync(ct)).Lsn.ShouldBe(new NpgsqlLogSequenceNumber(300));
        q.Count.ShouldBe(0);
        q.TryDequeue(out _).ShouldBeFalse();
    }

    [Fact]
    public async Task A_long_transaction_that_fills_the_spill_cap_still_flows_to_the_consumer_without_loss()
    {
        // One item in memory, a spill file of 8 kB: the cap is reached a few items into the transaction, long before
        // the queue would hand the first group of it to the consumer.
        await using var q = new SpillingQueue(memoryBudgetBytes: 1, spillCapBytes: 8_000);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var ct = timeout.Token;
        const int changes = 5_000;
        var producer = Task.Run(async () =>
        {
            await q.EnqueueAsync(new BeginItem(new NpgsqlLogSequenceNumber(100), DateTime.UtcNow, 7, null), ct);
            for (var i = 0; i < changes; i++)
                await q.EnqueueAsync(Insert(i), ct);
            await q.EnqueueAsync(new CommitItem(new NpgsqlLogSequenceNumber(100), new NpgsqlLogSequenceNumber(200), DateTime.UnixEpoch), ct);
        }, ct);
        var received = new List<StreamItem>();
        try
        {
            while (received.Count < changes + 2)
                received.Add(await q.DequeueAsync(ct));
            await producer;
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new ShouldAssertException($"the queue stalled after {received.Count} of {changes + 2} items (producer {producer.Status}, {q.SpilledBytes} bytes spilled)");
        }
        received[0].ShouldBeOfType<BeginItem>();
        for (var i = 0; i < changes; i++)
            ((ChangeItem)received[i + 1]).Change.NewRow!.Text(0).ShouldBe(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        received[^1].ShouldBeOfType<CommitItem>();
        q.SpilledItemsTotal.ShouldBeGreaterThan(changes / 2);
    }

    [Fact]
    public async Task Closing_a_queue_releases_a_producer_waiting_for_room_and_drops_what_follows()
    {
        await using var q = new SpillingQueue(memoryBudgetBytes: 1, spillCapBytes: 4_000);
        var ct = TestContext.Current.CancellationToken;
        await q.EnqueueAsync(new BeginItem(new NpgsqlLogSequenceNumber(100), DateTime.UtcNow, 7, null), ct);
        // Nobody consumes: the producer fills memory and the file, then waits for room.
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
                await q.EnqueueAsync(Insert(i), ct);
        }, ct);
        await Poll.UntilAsync(() => Task.FromResult(q.SpilledBytes), b => b >= 4_000, 20, b => $"{b} bytes spilled");
        producer.IsCompleted.ShouldBeFalse();
        q.Close();
        await producer.WaitAsync(TimeSpan.FromSeconds(20), ct);
        await q.EnqueueAsync(Insert(1000), ct);
        q.Count.ShouldBe(0);
        q.TryDequeue(out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Queues_sharing_one_memory_budget_spill_once_it_is_full_and_give_it_back_when_read_or_disposed()
    {
        var ct = TestContext.Current.CancellationToken;
        var shared = new QueueMemory(50_000);
        await using var first = new SpillingQueue(memoryBudgetBytes: 1 << 20, shared: shared);
        var second = new SpillingQueue(memoryBudgetBytes: 1 << 20, shared: shared);
        for (var i = 0; i < 100; i++)
            await first.EnqueueAsync(Insert(i), ct);
        first.MemoryBytes.ShouldBeLessThanOrEqualTo(50_000);
        first.SpilledItemsTotal.ShouldBeGreaterThan(50);

        // The budget is taken: the second queue keeps one item in memory (its first) and spills the rest.
        for (var i = 0; i < 10; i++)
            await second.EnqueueAsync(Insert(i), ct);
        second.SpilledItemsTotal.ShouldBe(9);
        shared.UsedBytes.ShouldBe(first.MemoryBytes + second.MemoryBytes);

        // Read, the first queue's items give their bytes back; disposed, the second queue gives back what it held.
        while (first.MemoryBytes > 0)
            await first.DequeueAsync(ct);
        await second.DisposeAsync();
        shared.UsedBytes.ShouldBe(0);
    }
}
