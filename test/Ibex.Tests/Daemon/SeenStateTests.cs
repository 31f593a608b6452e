using Ibex.Control;
using Ibex.Daemon;
using Ibex.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Shouldly;

namespace Ibex.Tests.Daemon;

public class SeenStateTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_view_whose_save_failed_is_written_at_the_next_attempt_not_taken_for_saved()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        var sync = "seen" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "t", "--source", "a", "--source", "b", "--copy", "never")).ShouldSucceed();
        await using var control = ControlDatabase.Open(s.ControlDsn);
        var node = await new NodeStore(control).GetAsync("a", ct);
        var state = new SeenState(control, sync, "a", node, NullLogger.Instance);
        var seen = new Dictionary<string, DateTime> { ["b"] = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc) };

        // The control database refuses the write once (here: the column is away for a moment).
        await ExecControlAsync(s, "ALTER TABLE ibex.sync_node RENAME COLUMN reader_state TO reader_state_away");
        await Should.ThrowAsync<NpgsqlException>(() => state.SaveAsync(new NpgsqlLogSequenceNumber(1000), seen, ct));
        await ExecControlAsync(s, "ALTER TABLE ibex.sync_node RENAME COLUMN reader_state_away TO reader_state");

        // The pipeline retries with the same view before acknowledging: this time it must really be written.
        await state.SaveAsync(new NpgsqlLogSequenceNumber(1000), seen, ct);
        await using var conn = new NpgsqlConnection(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT reader_state::text FROM ibex.sync_node WHERE sync = $1 AND node = 'a'", conn);
        cmd.Parameters.Add(new() { Value = sync });
        var saved = await cmd.ExecuteScalarAsync(ct) as string;
        saved.ShouldNotBeNull("the view was never written, yet the slot would have been acknowledged past it");
        saved.ShouldContain("2026-12-03T12:00:00");
    }

    static async Task ExecControlAsync(Scenario s, string sql)
    {
        await using var conn = new NpgsqlConnection(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
