namespace Ibex.Conflicts;

/// <summary>
/// The tombstone table every node of a multi-master sync keeps in schema <c>ibex_mm</c>: PostgreSQL forgets deleted
/// rows, so the time and node of each delete are kept until every node has moved past it, letting <c>latest</c>
/// decide delete against update by time on every node. Beside them, <c>ibex_mm.seen</c> keeps what the writers of the
/// versions of a key that reached this node had seen of third nodes (<see cref="SeenUpsert"/>), so a change that one of
/// them had already replaced is known as superseded here even when it arrives after it (<see cref="ConflictRules.IsSuperseded"/>).
/// </summary>
public static class TombstoneSql
{
    public const string Schema = "ibex_mm";

    public const string Create = """
        CREATE SCHEMA IF NOT EXISTS ibex_mm;
        CREATE TABLE IF NOT EXISTS ibex_mm.tombstone (
            sync text NOT NULL,
            relation text NOT NULL,
            key text NOT NULL,
            deleted_at timestamptz NOT NULL,
            deleted_by text NOT NULL,
            PRIMARY KEY (sync, relation, key, deleted_by)
        );
        CREATE TABLE IF NOT EXISTS ibex_mm.seen (
            sync text NOT NULL,
            relation text NOT NULL,
            key text NOT NULL,
            node text NOT NULL,
            seen_at timestamptz NOT NULL,
            PRIMARY KEY (sync, relation, key, node)
        );
        """;

    /// <summary>Parameters: sync, relation, key, deleted_at, deleted_by. Keeps each node's newest delete of the key.</summary>
    public const string Upsert = """
        INSERT INTO ibex_mm.tombstone (sync, relation, key, deleted_at, deleted_by) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (sync, relation, key, deleted_by) DO UPDATE SET deleted_at = EXCLUDED.deleted_at
        WHERE ibex_mm.tombstone.deleted_at < EXCLUDED.deleted_at
        """;

    /// <summary>Parameters: sync, relation, key. One row per node that deleted the key.</summary>
    public const string Lookup = "SELECT deleted_at, deleted_by FROM ibex_mm.tombstone WHERE sync = $1 AND relation = $2 AND key = $3";

    /// <summary>
    /// Parameters: sync, relation, key. A transaction lock on a key found absent, taken first in the transaction that
    /// applies what was decided on it: two appliers into one node that met the key absent (one writing it, one
    /// recording a delete of it) run one after the other, the second's guard seeing what the first committed.
    /// </summary>
    public const string Lock = "SELECT pg_advisory_xact_lock(1768060281, hashtext($1 || ' ' || $2 || ' ' || $3))";

    /// <summary>
    /// Parameters: sync, relation, key, the tombstones a lookup found (<see cref="Fingerprint"/>). Fails as a
    /// <see cref="RowGuard"/> does unless the key's tombstones are still those.
    /// </summary>
    public const string Guard = $"""
        SELECT CASE WHEN g.x = $4 THEN NULL ELSE ('{RowGuard.Marker}: ' || g.x)::int END FROM (SELECT coalesce((SELECT string_agg(deleted_by || '@' || (extract(epoch FROM deleted_at) * 1000000)::bigint::text, ',' ORDER BY deleted_by COLLATE "C")
        FROM ibex_mm.tombstone WHERE sync = $1 AND relation = $2 AND key = $3), '') AS x) g
        """;

    /// <summary>The tombstones a lookup found, as <see cref="Guard"/> compares them: node@microseconds since 1970, by node.</summary>
    public static string Fingerprint(IEnumerable<RowVersion> found)
        => string.Join(",", found.OrderBy(f => f.Node, StringComparer.Ordinal).Select(f => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{f.Node}@{(f.CommitTimestamp!.Value.ToUniversalTime() - DateTime.UnixEpoch).Ticks / 10}")));

    /// <summary>Parameters: sync, purge-before timestamp.</summary>
    public const string Purge = "DELETE FROM ibex_mm.tombstone WHERE sync = $1 AND deleted_at < $2";

    /// <summary>Parameters: sync, purge-before timestamp (no change of a node older than that is still to come).</summary>
    public const string SeenPurge = "DELETE FROM ibex_mm.seen WHERE sync = $1 AND seen_at < $2";

    /// <summary>
    /// Parameters: sync, relation, key, node, seen_at. A version of the key reaching this node was written by a node
    /// that had applied every change of <c>node</c> committed up to <c>seen_at</c>; keeps the latest such time per node.
    /// </summary>
    public const string SeenUpsert = """
        INSERT INTO ibex_mm.seen (sync, relation, key, node, seen_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (sync, relation, key, node) DO UPDATE SET seen_at = EXCLUDED.seen_at
        WHERE ibex_mm.seen.seen_at < EXCLUDED.seen_at
        """;

    /// <summary>Parameters: sync, relation, key. One row per node whose changes of the key a version arriving here had seen.</summary>
    public const string SeenLookup = "SELECT seen_at, node FROM ibex_mm.seen WHERE sync = $1 AND relation = $2 AND key = $3";

    /// <summary>
    /// Parameters: sync, relation, key, what a lookup found (<see cref="Fingerprint"/> of its node@seen_at). Fails as a
    /// <see cref="RowGuard"/> does unless the key's seen times are still those: another applier into this node that
    /// dropped a version of the key may have recorded, after this lookup, that its writer had seen the change being
    /// applied (which is then superseded). Runs after the locks that change's applier held: the row's, or the key's.
    /// </summary>
    public const string SeenGuard = $"""
        SELECT CASE WHEN g.x = $4 THEN NULL ELSE ('{RowGuard.Marker}: seen ' || g.x)::int END FROM (SELECT coalesce((SELECT string_agg(node || '@' || (extract(epoch FROM seen_at) * 1000000)::bigint::text, ',' ORDER BY node COLLATE "C")
        FROM ibex_mm.seen WHERE sync = $1 AND relation = $2 AND key = $3), '') AS x) g
        """;

    /// <summary>Removes a sync's tombstones and seen times from a node that other multi-master syncs still use.</summary>
    public static string Cleanup(string sync)
        => $"DELETE FROM ibex_mm.tombstone WHERE sync = {Sql.Ident.Literal(sync)}; "
            + $"DO $cleanup$ BEGIN IF to_regclass('ibex_mm.seen') IS NOT NULL THEN DELETE FROM ibex_mm.seen WHERE sync = {Sql.Ident.Literal(sync)}; END IF; END $cleanup$; ";
}
