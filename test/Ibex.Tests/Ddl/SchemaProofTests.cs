using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.Ddl;

/// <summary>
/// The proof after replicated DDL, one-way under a write load: once a statement is applied, the synced tables on the
/// target are compared with the source, and a difference is shown by <c>ibex status</c> (text and JSON) and
/// <c>ibex check</c> until a later check finds none.
/// </summary>
public class SchemaProofTests(SharedClusters clusters)
{
    [Fact]
    public async Task Drift_left_after_a_replicated_DDL_is_shown_by_status_and_check_until_a_later_check_finds_none()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = DdlChecks.SyncName(s, "proof");
        await s.ExecAllAsync("CREATE TABLE evt (id bigserial PRIMARY KEY, note text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.*", "--source", "src", "--target", "dst", "--ddl", "replicate")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync, 120);
        await using var load = WriteLoad.Start(s, "src", "evt");

        // Applied as it should be: checked, no drift.
        await s.ExecAsync("src", "ALTER TABLE evt ADD COLUMN a integer");
        await Poll.UntilAsync(() => DdlChecks.SchemaCheckAsync(s, sync, "dst"), c => c.Checked, 60, c => $"never checked\n--- daemon log ---\n{s.DaemonLog}");
        (await DdlChecks.SchemaCheckAsync(s, sync, "dst")).Drift.ShouldBeNull();

        // A change made on the target alone, then the next DDL: its check finds the difference.
        await s.ExecAsync("dst", "CREATE INDEX dst_only ON evt (note)");
        await s.ExecAsync("src", "ALTER TABLE evt ADD COLUMN b integer");
        var status = await DdlChecks.StatusUntilAsync(s, sync, "schema drift on dst");
        status.ShouldContain("against src): DROP INDEX \"public\".\"dst_only\";", Case.Sensitive, status);
        var json = await s.Ibex("status", sync, "--json");
        json.Output.ShouldContain("\"schema_checks\": [", Case.Sensitive, json.Output);
        json.Output.ShouldContain("\"drift\": \"DROP INDEX \\\"public\\\".\\\"dst_only\\\";\"", Case.Sensitive, json.Output);
        var check = await s.Ibex("check", "--sync", sync);
        check.ExitCode.ShouldBe(1, check.Output);
        check.Output.ShouldContain($"{sync} schema of dst differs from src after DDL: DROP INDEX \"public\".\"dst_only\";", Case.Sensitive, check.Output);

        // Repaired on the target: the check after the next DDL finds nothing, and status and check say no more.
        await s.ExecAsync("dst", "DROP INDEX dst_only");
        await s.ExecAsync("src", "ALTER TABLE evt ADD COLUMN c integer");
        await Poll.UntilAsync(() => DdlChecks.SchemaCheckAsync(s, sync, "dst"), c => c.Drift is null, 60, c => $"drift still recorded: {c.Drift}\n--- daemon log ---\n{s.DaemonLog}");
        (await s.Ibex("status", sync)).Output.ShouldNotContain("schema drift");
        (await s.Ibex("check", "--sync", sync)).Output.ShouldNotContain("differs from");

        await load.StopAsync();
        await s.WaitAsync(sync, 120);
        await s.ShouldMatchAsync("evt", "id", "src", "dst");
        await DdlChecks.ShouldBeInSyncAsync(s, sync, "src", "public", "dst");
    }
}
