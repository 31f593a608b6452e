using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Ddl;

/// <summary>What every DDL replication test ends with: rows compare clean and the schemas of the synced objects match.</summary>
public static class DdlChecks
{
    public static string SyncName(Scenario s, string prefix) => prefix + s.Id.Replace("_", "", StringComparison.Ordinal);

    /// <summary><c>ibex compare</c> clean and <c>ibex schema diff</c> empty for <paramref name="schema"/> from the source to every other node.</summary>
    public static async Task ShouldBeInSyncAsync(Scenario s, string sync, string source, string schema, params string[] others)
    {
        var compare = await s.Ibex("compare", sync);
        compare.ExitCode.ShouldBe(0, $"compare: {compare.Output}{compare.Error}\n--- daemon log ---\n{s.DaemonLog}");
        foreach (var other in others)
        {
            var diff = await s.Ibex("schema", "diff", "--from", s.Dsn(source), "--to", s.Dsn(other), "--schema", schema, "--allow-hazards", "--exit-code");
            diff.ExitCode.ShouldBe(0, $"schema diff {source} -> {other}: {diff.Output}{diff.Error}");
        }
    }

    /// <summary>The last schema check of <paramref name="node"/> after DDL: (checked, drift) as the control database has it.</summary>
    public static async Task<(bool Checked, string? Drift)> SchemaCheckAsync(Scenario s, string sync, string node)
    {
        await using var conn = new NpgsqlConnection(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand("SELECT drift FROM ibex.schema_check WHERE sync = $1 AND node = $2", conn);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = node });
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        return await reader.ReadAsync(TestContext.Current.CancellationToken) ? (true, reader.IsDBNull(0) ? null : reader.GetString(0)) : (false, null);
    }

    /// <summary>The messages of the sync's events in the control database, oldest first.</summary>
    public static async Task<List<string>> EventsAsync(Scenario s, string sync)
    {
        await using var conn = new NpgsqlConnection(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand("SELECT level || ': ' || message FROM ibex.event WHERE sync = $1 ORDER BY id", conn);
        cmd.Parameters.Add(new() { Value = sync });
        var rows = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            rows.Add(reader.GetString(0));
        return rows;
    }

    /// <summary>Polls <c>ibex status</c> until it mentions <paramref name="text"/>.</summary>
    public static async Task<string> StatusUntilAsync(Scenario s, string sync, string text)
        => (await Poll.UntilAsync(async () => await s.Ibex("status", sync), r => r.Output.Contains(text, StringComparison.Ordinal), 90,
            r => $"status never mentioned '{text}': {r.Output}\n--- daemon log ---\n{s.DaemonLog}")).Output;
}
