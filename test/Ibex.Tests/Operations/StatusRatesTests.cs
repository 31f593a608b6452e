using Ibex.Monitoring;
using Shouldly;

namespace Ibex.Tests.Operations;

public class StatusRatesTests
{
    static readonly DateTime T0 = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Rows_per_second_copy_eta_and_conflicts_per_minute_come_from_successive_readings()
    {
        var rates = new StatusRates();
        rates.Add(T0, Reading(rows: 0, copied: 0, conflicts: 0));
        rates.RowsPerSecond("s", "a", "b").ShouldBeNull();
        for (var i = 1; i <= 10; i++)
            rates.Add(T0.AddSeconds(i), Reading(rows: 100 * i, copied: 1000 * i, conflicts: 2 * i));
        rates.RowsPerSecond("s", "a", "b").ShouldBe(100);
        rates.CopyRemaining("s", Reading(1000 * 10, 1000 * 10, 0)[0].Links[0]).ShouldBe(TimeSpan.FromSeconds(90));
        rates.ConflictsPerMinute("s").ShouldBe(120);
        rates.RowsPerSecond("s", "a", "nosuch").ShouldBeNull();

        // A link restarted by the daemon counts from zero again: the rate is what it did since, never negative.
        rates.Add(T0.AddSeconds(11), Reading(rows: 50, copied: 11_000, conflicts: 0));
        rates.RowsPerSecond("s", "a", "b")!.Value.ShouldBeInRange(0, 20);
        rates.ConflictsPerMinute("s").ShouldBe(0);
    }

    static IReadOnlyList<SyncStatus> Reading(long rows, long copied, long conflicts) =>
    [
        new SyncStatus("s", true, "streaming", ["a"], ["b"], 1,
            [new LinkStatus("a", "b", "copying", null, null, null, null, null, 0.1, 0, rows, 0, 0, 0, 0, T0, new CopyProgress(0, 1, copied, 100_000, null))], [])
        {
            Conflicts = new Dictionary<string, long> { ["update_origin_differs"] = conflicts },
        },
    ];
}
