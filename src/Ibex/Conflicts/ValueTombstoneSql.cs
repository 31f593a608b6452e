namespace Ibex.Conflicts;

/// <summary>
/// Value tombstones: which version of a row last held a secondary UNIQUE value that was since given up (the row
/// deleted, or the value changed). A write of that value from another node that had not seen that version is weighed
/// against it as against a live holder, so a value lost to a row on one node stays lost on a node where that row had
/// already let it go. Written in the same transaction as the change that gives the value up: by a trigger for local
/// writes (<see cref="ValueTombstoneTriggers"/>), by the applier for remote changes made knowing the version they
/// replace or that beat it (<see cref="ValueRelease"/>), and for a remote version that arrives after a later version of
/// its own row but held its values in its time; purged with the key tombstones.
/// </summary>
public static class ValueTombstoneSql
{
    public const string TriggerName = "ibex_mm_unique_values";

    /// <summary>The table and the trigger function (both idempotent).</summary>
    /// <remarks>
    /// Trigger arguments: the sync, the relation as Ibex names it, the condition that finds the old row by its key
    /// (<c>t."k" = ($1)."k"</c>, with OLD as $1), then one JSON array of column names per unique index. The version is
    /// the old row's commit time and origin (track_commit_timestamp), read by key before it changes: a trigger cannot
    /// see OLD's xmin. A row version written earlier in the same transaction has none yet and is not recorded.
    /// SECURITY DEFINER: application roles need no rights on schema ibex_mm.
    /// </remarks>
    public const string Create = """
        CREATE SCHEMA IF NOT EXISTS ibex_mm;
        CREATE TABLE IF NOT EXISTS ibex_mm.value_tombstone (
            sync text NOT NULL,
            relation text NOT NULL,
            value jsonb NOT NULL,
            held_by oid NOT NULL,
            held_at timestamptz NOT NULL,
            PRIMARY KEY (sync, relation, value, held_by)
        );
        CREATE OR REPLACE FUNCTION ibex_mm.release_unique_values() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        DECLARE
            old_row jsonb := to_jsonb(OLD);
            new_row jsonb;
            released jsonb;
            col text;
            i int;
            held timestamptz;
            origin oid;
            looked boolean := false;
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                new_row := to_jsonb(NEW);
            END IF;
            FOR i IN 3 .. TG_NARGS - 1 LOOP
                released := '{}';
                FOR col IN SELECT jsonb_array_elements_text(TG_ARGV[i]::jsonb) LOOP
                    IF coalesce(jsonb_typeof(old_row -> col), 'null') = 'null' THEN
                        released := NULL;
                        EXIT;
                    END IF;
                    released := released || jsonb_build_object(col, old_row -> col);
                END LOOP;
                CONTINUE WHEN released IS NULL;
                CONTINUE WHEN new_row IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM jsonb_each(released) e WHERE new_row -> e.key IS DISTINCT FROM e.value);
                IF NOT looked THEN
                    EXECUTE format('SELECT x.timestamp, x.roident FROM ONLY %s t, pg_xact_commit_timestamp_origin(t.xmin) x WHERE %s', TG_RELID::regclass, TG_ARGV[2])
                        INTO held, origin USING OLD;
                    looked := true;
                END IF;
                EXIT WHEN held IS NULL;
                INSERT INTO ibex_mm.value_tombstone AS v (sync, relation, value, held_by, held_at)
                VALUES (TG_ARGV[0], TG_ARGV[1], released, coalesce(origin, 0), held)
                ON CONFLICT (sync, relation, value, held_by) DO UPDATE SET held_at = EXCLUDED.held_at WHERE v.held_at < EXCLUDED.held_at;
            END LOOP;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END
        $fn$;
        """;

    /// <summary>
    /// Parameters: sync, relation, the unique columns' text values as a JSON object. The value is typed through the
    /// table's row type, as the trigger's <c>to_jsonb(OLD)</c> types it. Rows: held_at, the holder's origin name (null
    /// for this node's own writes), the origin id.
    /// </summary>
    public static string Lookup(string targetQuoted) => $"""
        SELECT v.held_at, o.roname::text, v.held_by::int, {Micros} FROM ibex_mm.value_tombstone v LEFT JOIN pg_replication_origin o ON o.roident = v.held_by
        WHERE v.sync = $1 AND v.relation = $2
          AND v.value = {Typed(targetQuoted, "$3")}
        """;

    /// <summary>
    /// The guard of a lookup (<see cref="Lookup"/>'s parameters, then the versions it found as <see cref="Fingerprint"/>
    /// made them): fails as a <see cref="RowGuard"/> does unless the value's tombstones are still those.
    /// </summary>
    public static string Guard(string targetQuoted) => $"""
        SELECT CASE WHEN g.x = $4 THEN NULL ELSE ('{RowGuard.Marker}: ' || g.x)::int END FROM (SELECT coalesce((SELECT string_agg(v.held_by::text || '@' || {Micros}::text, ',' ORDER BY v.held_by)
        FROM ibex_mm.value_tombstone v WHERE v.sync = $1 AND v.relation = $2 AND v.value = {Typed(targetQuoted, "$3")}), '') AS x) g
        """;

    /// <summary>The versions a lookup found, as its guard compares them: held_by@microseconds, ordered by held_by.</summary>
    public static string Fingerprint(IEnumerable<(long HeldBy, long Micros)> found)
        => string.Join(",", found.OrderBy(f => f.HeldBy).Select(f => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{f.HeldBy}@{f.Micros}")));

    const string Micros = "(extract(epoch FROM v.held_at) * 1000000)::bigint";

    /// <summary>
    /// A transaction lock on one unique value of a table (<see cref="Lookup"/>'s parameters): taken before the value's rows
    /// and tombstones are read, and first again in the transaction that applies what was decided on them. Two appliers
    /// into one node that write the same value one after the other: the second reads what the first committed.
    /// </summary>
    public static string Lock(string targetQuoted)
        => $"SELECT pg_advisory_xact_lock({LockSpace}, hashtext($1 || ' ' || $2 || ' ' || {Typed(targetQuoted, "$3")}::text))";

    /// <summary>The first key of Ibex's two-key advisory locks on unique values ('ibex' in ASCII).</summary>
    const int LockSpace = 0x69626578;

    /// <summary>
    /// The value of parameter <paramref name="parameter"/> (the unique columns' text values as a JSON object) typed
    /// through the table's row type, as the trigger's <c>to_jsonb(OLD)</c> types it.
    /// </summary>
    public static string Typed(string targetQuoted, string parameter)
        => $"(SELECT jsonb_object_agg(ibex_c.name, to_jsonb(ibex_r) -> ibex_c.name) FROM jsonb_populate_record(NULL::{targetQuoted}, {parameter}::jsonb) ibex_r, jsonb_object_keys({parameter}::jsonb) AS ibex_c(name))";

    /// <summary>
    /// Removes a sync from a node that another multi-master sync still uses: the trigger from its tables, its value
    /// tombstones (when the table exists: a node set up by an older Ibex has none).
    /// </summary>
    public static string Cleanup(string sync, IEnumerable<Sql.QualifiedName> tables)
        => string.Concat(tables.Select(t => $"DROP TRIGGER IF EXISTS {Sql.Ident.Quote(TriggerName)} ON {t.Quoted}; "))
            + $"DO $cleanup$ BEGIN IF to_regclass('ibex_mm.value_tombstone') IS NOT NULL THEN DELETE FROM ibex_mm.value_tombstone WHERE sync = {Sql.Ident.Literal(sync)}; END IF; END $cleanup$";

    /// <summary>Parameters: sync, purge-before timestamp.</summary>
    public const string Purge = "DELETE FROM ibex_mm.value_tombstone WHERE sync = $1 AND held_at < $2";
}
