using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Operations;

public class WaitTests(SharedClusters clusters)
{
    [Fact]
    public async Task Wait_fails_naming_the_link_and_its_error_while_a_link_is_in_error()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "ok", "picky");
        await s.ExecAllAsync("CREATE TABLE q (id int PRIMARY KEY, v text)");
        // Only this target refuses one value: its link goes into error, the other keeps streaming.
        await s.ExecAsync("picky", "ALTER TABLE q ADD CONSTRAINT no_bad_values CHECK (v <> 'bad')");
        await s.AddNodesAsync();
        var sync = "wt" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "q", "--source", "src", "--target", "ok", "--target", "picky")).ShouldSucceed();
        s.StartDaemon(sync);
        await s.ExecAsync("src", "INSERT INTO q VALUES (1, 'fine')");
        await s.WaitAsync(sync);

        await s.ExecAsync("src", "INSERT INTO q VALUES (2, 'bad')");
        await Poll.UntilAsync(() => s.Ibex("status", sync, "--json"), r => r.Output.Contains("no_bad_values", StringComparison.Ordinal), 60, r => r.Output);
        var wait = await s.Ibex("wait", sync, "--timeout", "3");
        wait.ExitCode.ShouldNotBe(0);
        wait.Error.ShouldContain("src -> picky");
        wait.Error.ShouldContain("no_bad_values");
        wait.Error.ShouldNotContain("src -> ok");
        (await s.ScalarAsync<long>("ok", "SELECT count(*) FROM q")).ShouldBe(2);
    }
}
