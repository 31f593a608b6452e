using System.Text;
using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Convergence under chaos: three writable nodes, one writer each doing random inserts, updates and deletes on 200
/// keys for 30 s while the daemon is SIGKILLed and restarted; afterwards all three nodes hold identical rows.
/// </summary>
public class ConvergenceTests(SharedClusters clusters)
{
    // For a failed run: every key that differs, with each node's version (commit time, origin), tombstones and conflicts.
    static async Task<string> DiagnoseAsync(Scenario s, string sync)
    {
        var sb = new StringBuilder();
        var rows = new Dictionary<string, Dictionary<int, string>>();
        foreach (var n in new[] { "a", "b", "c" })
        {
            rows[n] = [];
            await using var conn = await s.OpenAsync(n);
            await using var cmd = new NpgsqlCommand("SELECT k, kv::text || ' @' || coalesce(x.timestamp::text, '?') || ' o' || coalesce(x.roident::text, '?') FROM kv LEFT JOIN LATERAL pg_xact_commit_timestamp_origin(kv.xmin) x ON true", conn);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
                rows[n][r.GetInt32(0)] = r.GetString(1);
        }
        var keys = rows.Values.SelectMany(d => d.Keys).Distinct().Where(k => rows.Values.Select(d => d.TryGetValue(k, out var v) ? v.Split(" @")[0] : "-").Distinct().Count() > 1).Order().ToList();
        await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        foreach (var k in keys.Take(3))
        {
            sb.AppendLine($"key {k}:");
            foreach (var n in new[] { "a", "b", "c" })
            {
                sb.AppendLine($"  {n}: {(rows[n].TryGetValue(k, out var v) ? v : "(none)")}");
                await using var conn = await s.OpenAsync(n);
                await using var t = new NpgsqlCommand($"SELECT string_agg(deleted_at::text || ' by ' || deleted_by, '; ') FROM ibex_mm.tombstone WHERE key = '{{\"k\":\"{k}\"}}'", conn);
                sb.AppendLine($"     tombstone: {await t.ExecuteScalarAsync()}");
                await using var o = new NpgsqlCommand("SELECT string_agg(roident || '=' || roname, ', ') FROM pg_replication_origin", conn);
                sb.AppendLine($"     origins: {await o.ExecuteScalarAsync()}");
            }
            await using var c = new NpgsqlCommand($"SELECT string_agg(node || ' ' || kind || ' local=' || coalesce(local_origin,'?') || '@' || coalesce(local_commit_ts::text,'?') || ' remote=' || remote_origin || '@' || coalesce(remote_commit_ts::text,'?') || ' -> ' || winner, E'\n    ' ORDER BY id) FROM (SELECT * FROM ibex.conflict WHERE key->>'k' = '{k}' ORDER BY id DESC LIMIT 14) c", control);
            sb.AppendLine($"  conflicts:\n    {await c.ExecuteScalarAsync()}");
        }
        return sb.ToString();
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("priority:b,c,a", Skip = "Known limit of priority (docs/topologies.md): a row version that lost to a concurrent one is forgotten with its values, so when a later change replaces the winner knowing it but not that loser, and the loser outranks the change, only the nodes that kept the loser keep it (2026-12-04: 2 of 9 runs differed on a few keys, e.g. c's insert lost to b's on c, a's update replaced b's knowing it, and c's insert, ranked above a, stayed on a alone). Needs the losing row versions kept in ibex_mm and weighed like ConflictRules.LaterDeletes. The cases fixed: PriorityCausalityTests.")]
    public async Task Three_nodes_converge_under_concurrent_writes_and_daemon_kills(string strategy)
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "c");
        await s.ExecAllAsync("CREATE TABLE kv (k int PRIMARY KEY, v int NOT NULL, note text, touched_by text)");
        await s.AddNodesAsync();
        var sync = "chaos" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "kv", "--source", "a", "--source", "b", "--source", "c", "--copy", "never", "--conflict", strategy)).ShouldSucceed();

        var log = new StringBuilder();
        var daemon = DaemonProcess.Start(s.ControlDsn, log, "--heartbeat", "1s", "--tombstone-retention", "10m");
        using var stop = new CancellationTokenSource();
        var ops = new long[3];
        var writers = new[] { "a", "b", "c" }.Select((node, i) => Task.Run(async () =>
        {
            var (cluster, db) = s.Node(node);
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            var random = new Random(1000 + i);
            while (!stop.IsCancellationRequested)
            {
                var k = random.Next(1, 201);
                var sql = random.Next(10) switch
                {
                    < 4 => $"INSERT INTO kv VALUES ({k}, {random.Next(1000)}, 'ins {node}', '{node}') ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, note = 'upsert {node}', touched_by = '{node}'",
                    < 8 => $"UPDATE kv SET v = v + 1, note = 'upd {node}', touched_by = '{node}' WHERE k = {k}",
                    _ => $"DELETE FROM kv WHERE k = {k}",
                };
                try
                {
                    await using var cmd = new NpgsqlCommand(sql, conn);
                    await cmd.ExecuteNonQueryAsync();
                    ops[i]++;
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
                {
                    // An applier holds the row; the writer just moves on, like an application retrying later.
                }
                await Task.Delay(random.Next(0, 4));
            }
        })).ToList();
        try
        {
            var random = new Random(7);
            var started = DateTime.UtcNow;
            for (var kill = 0; kill < 4; kill++)
            {
                await Task.Delay(random.Next(4000, 7000), TestContext.Current.CancellationToken);
                await daemon.KillAsync();
                await daemon.DisposeAsync();
                daemon = DaemonProcess.Start(s.ControlDsn, log, "--heartbeat", "1s", "--tombstone-retention", "10m");
            }
            var left = TimeSpan.FromSeconds(32) - (DateTime.UtcNow - started);
            if (left > TimeSpan.Zero)
                await Task.Delay(left, TestContext.Current.CancellationToken);
            await stop.CancelAsync();
            await Task.WhenAll(writers);

            var r = await s.Ibex("wait", sync, "--timeout", "120");
            var activity = new StringBuilder();
            if (r.ExitCode != 0)
                foreach (var n in new[] { "a", "b", "c" })
                {
                    await using var conn = await s.OpenAsync(n);
                    await using var cmd = new NpgsqlCommand("SELECT pid, application_name, state, wait_event_type, wait_event, now() - xact_start, left(query, 120), pg_blocking_pids(pid)::text FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY pid", conn);
                    await using var rd = await cmd.ExecuteReaderAsync();
                    activity.AppendLine($"--- {n}");
                    while (await rd.ReadAsync())
                        activity.AppendLine(string.Join(" | ", Enumerable.Range(0, 8).Select(i => rd.IsDBNull(i) ? "" : rd.GetValue(i).ToString())));
                }
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, $"convergence-{sync}.log"), log.ToString() + activity);
            r.ExitCode.ShouldBe(0, $"{r.Error}\n{log}");
            try
            {
                await s.ShouldMatchAsync("kv", "k", "a", "b", "c");
            }
            catch (ShouldAssertException e)
            {
                throw new ShouldAssertException(e.Message.Split("--- daemon log")[0] + "\n" + await DiagnoseAsync(s, sync), e);
            }
            long conflicts;
            await using var control = await Scratch.OpenAsync(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            do
            {
                conflicts = await control.ScalarAsync<long>("SELECT count(*) FROM ibex.conflict WHERE sync = $1", sync);
                if (conflicts > 0)
                    break;
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
            while (DateTime.UtcNow < deadline);
            var rows = await s.ScalarAsync<long>("a", "SELECT count(*) FROM kv");
            var message = $"{strategy}: {ops.Sum()} writes ({string.Join("/", ops)}), {conflicts} conflicts resolved, {rows} rows on each node";
            TestContext.Current.SendDiagnosticMessage(message);
            File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "convergence.txt"), message + Environment.NewLine);
            ops.Sum().ShouldBeGreaterThan(1000);
            conflicts.ShouldBeGreaterThan(0);
        }
        finally
        {
            await stop.CancelAsync();
            await daemon.DisposeAsync();
        }
    }
}
