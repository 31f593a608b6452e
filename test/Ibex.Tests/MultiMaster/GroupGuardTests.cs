using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Several remote transactions are decided on lookups made together before any of them is applied; a row a local
/// writer changes in between must make the applier decide again, never apply a decision made on the old row.
/// </summary>
public class GroupGuardTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_row_changed_between_a_groups_lookups_and_its_apply_is_decided_again()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'start' FROM generate_series(1, 400) g");
        // On b, applying the update of row i (i <= 200) also deletes row i + 200, inside the applying transaction: to
        // the lookups made for the group beforehand, that is a local writer changing the row of a later transaction.
        await s.ExecAsync("b", """
            CREATE FUNCTION drop_partner() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN DELETE FROM t WHERE id = NEW.id + 200; RETURN NULL; END $$;
            CREATE TRIGGER drop_partner AFTER UPDATE ON t FOR EACH ROW WHEN (NEW.id <= 200) EXECUTE FUNCTION drop_partner();
            ALTER TABLE t ENABLE ALWAYS TRIGGER drop_partner;
            """);
        await s.AddNodesAsync();
        var sync = "guard" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "t", "--source", "a", "--source", "b", "--copy", "never")).ShouldSucceed();

        // Queued before the daemon starts, so the applier reads them as one backlog: update i, then update i + 200.
        var script = string.Concat(Enumerable.Range(1, 200).Select(i =>
            $"BEGIN; UPDATE t SET v = 'first {i}' WHERE id = {i}; COMMIT; BEGIN; UPDATE t SET v = 'second {i}' WHERE id = {i + 200}; COMMIT;\n"));
        await s.ExecAsync("a", script);
        s.StartDaemon(sync);
        await s.WaitAsync(sync);

        // Each row i + 200 is on b again with a's value: decided again as an update of a missing row, not lost to an
        // UPDATE that found nothing.
        (await s.ScalarAsync<long>("b", "SELECT count(*) FROM t WHERE id > 200 AND v LIKE 'second %'")).ShouldBe(200, s.DaemonLog);
        await s.ShouldMatchAsync("t", "id", "a", "b");
        s.DaemonLog.ShouldContain("deciding the rest of the group again");
    }
}
