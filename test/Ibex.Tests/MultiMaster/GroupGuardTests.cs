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

    [Fact]
    public async Task A_key_a_local_writer_inserts_between_a_groups_guard_and_its_insert_is_decided_again()
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b");
        await s.ExecAllAsync("CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE u (id int PRIMARY KEY)");
        // On b, applying the insert of u(i) makes another session insert and commit t(i) (dblink), after the
        // applying transaction's guards ran and before its own insert of t(i), decided on lookups that found no row:
        // a local writer taking the key at the worst moment (local writers take none of the applier's locks).
        await s.ExecAsync("b", """
            CREATE EXTENSION dblink;
            CREATE FUNCTION take_key() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              PERFORM dblink_exec(format('host=127.0.0.1 port=%s dbname=%s user=%s', current_setting('port'), current_database(), current_user),
                                  format('INSERT INTO t VALUES (%s, %L) ON CONFLICT DO NOTHING', NEW.id, 'local'));
              RETURN NULL;
            END $$;
            CREATE TRIGGER take_key AFTER INSERT ON u FOR EACH ROW EXECUTE FUNCTION take_key();
            ALTER TABLE u ENABLE ALWAYS TRIGGER take_key;
            """);
        await s.AddNodesAsync();
        var sync = "race" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "t,u", "--source", "a", "--source", "b", "--copy", "never")).ShouldSucceed();

        // Queued before the daemon starts, so the applier reads them as one backlog and decides them as groups.
        var script = string.Concat(Enumerable.Range(1, 50).Select(i =>
            $"BEGIN; INSERT INTO u VALUES ({i}); INSERT INTO t VALUES ({i}, 'remote {i}'); COMMIT;\n"));
        await s.ExecAsync("a", script + "INSERT INTO t VALUES (1000, 'last');");
        s.StartDaemon(sync);
        await s.WaitAsync(sync);

        // Every transaction reached b (the last one too), decided again instead of failing the link on the
        // unique violation, and both nodes agree on each contested key.
        (await s.ScalarAsync<long>("b", "SELECT count(*) FROM u")).ShouldBe(50, s.DaemonLog);
        (await s.ScalarAsync<long>("b", "SELECT count(*) FROM t WHERE id = 1000")).ShouldBe(1, s.DaemonLog);
        s.DaemonLog.ShouldContain("deciding the rest of the group again");
        s.DaemonLog.ShouldNotContain("fix the target and the sync retries by itself");
        await s.ShouldMatchAsync("t", "id", "a", "b");
    }
}
