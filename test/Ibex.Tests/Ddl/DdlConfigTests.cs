using Ibex.Tests.Declarative;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Ddl;

/// <summary>A sync's DDL mode in <c>ibex sync show</c> and through <c>ibex export</c> / <c>ibex apply</c>.</summary>
public class DdlConfigTests(SharedClusters clusters)
{
    [Fact]
    public async Task The_DDL_mode_is_shown_exported_and_put_back_by_apply_which_reinstalls_the_capture()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var sync = DdlChecks.SyncName(s, "cfg");
        await s.ExecAllAsync("CREATE TABLE evt (id bigserial PRIMARY KEY, note text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", sync, "--tables", "public.*", "--source", "src", "--target", "dst", "--ddl", "replicate")).ShouldSucceed();
        (await s.Ibex("sync", "show", sync)).ShouldSucceed().Output.ShouldContain("ddl:         replicate");
        (await s.Ibex("sync", "show", sync, "--json")).ShouldSucceed().Output.ShouldContain("\"ddl\": \"replicate\"");
        var exported = (await s.Ibex("export")).ShouldSucceed().Output;
        exported.ShouldContain("    ddl: replicate\n");
        using var file = new TempFile(exported);

        // Changed by hand, then the file puts it back: the capture is installed on the source again.
        (await s.Ibex("sync", "set-ddl", sync, "stop")).ShouldSucceed();
        (await s.ScalarAsync<bool>("src", "SELECT to_regnamespace('ibex_ddl') IS NULL")).ShouldBeTrue();
        (await s.Ibex("apply", file.Path, "--dry-run")).ShouldSucceed().Output.ShouldContain("ddl stop -> replicate");
        (await s.Ibex("apply", file.Path)).ShouldSucceed();
        (await s.Ibex("sync", "show", sync)).ShouldSucceed().Output.ShouldContain("ddl:         replicate");
        (await s.Ibex("export")).ShouldSucceed().Output.ShouldBe(exported);
        (await s.Ibex("apply", file.Path)).ShouldSucceed().Output.ShouldStartWith("nothing to change");

        // And it replicates DDL, under a write load.
        s.StartDaemon();
        await s.WaitAsync(sync, 120);
        await using var load = WriteLoad.Start(s, "src", "evt");
        await s.ExecAsync("src", "ALTER TABLE evt ADD COLUMN extra integer");
        await s.ExecAsync("src", "INSERT INTO evt (note, extra) VALUES ('x', 1)");
        await load.StopAsync();
        await s.WaitAsync(sync, 120);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM evt WHERE extra = 1")).ShouldBe(1);
        await s.ShouldMatchAsync("evt", "id", "src", "dst");
        await DdlChecks.ShouldBeInSyncAsync(s, sync, "src", "public", "dst");
    }
}
