namespace Ibex.Setup;

/// <summary>
/// The objects <c>--ddl replicate</c> installs on each source node, in schema <c>ibex_ddl</c>: <c>scope</c> (one row
/// per sync publication, with the sync's table patterns), <c>lock</c> (multi-master: the DDL lock of a sync held by
/// another node, written by the daemon; DDL touching that sync is refused while it is there), and two event triggers. <c>ibex_ddl_start</c>
/// (ddl_command_start) notes the tables of those publications and their indexes (OID, name) in a transaction-local
/// setting; <c>ibex_ddl_end</c> (ddl_command_end) compares: a relation gone was dropped, one under another name was
/// renamed or moved (a drop is seen there too, so no sql_drop trigger is needed: its objects can no longer be looked
/// up by then anyway), and <c>pg_event_trigger_ddl_commands()</c> names the relations the command created or altered.
/// A new table whose name matches a sync's patterns is added to its publication (ONLY) right there, in the same
/// transaction, so its rows written after the CREATE are decoded. When the command touches a sync, the statement
/// (<c>current_query()</c>), the session's search_path, role and command tag and the tables created, dropped and
/// renamed go into the WAL with <c>pg_logical_emit_message(true, 'ibex_ddl', …)</c>: transactional, so the message
/// sits at its commit position and a rolled-back transaction emits nothing.
/// </summary>
/// <remarks>
/// The triggers are <c>ENABLE</c> (origin), so they never fire in Ibex's apply sessions (session_replication_role =
/// replica); sessions whose application_name starts with <c>ibex</c> are skipped as well. A query string holding
/// several statements, or DDL run from a function or DO block, is refused (the statement replayed on targets must be
/// exactly the DDL).
/// </remarks>
internal static class DdlCaptureSql
{
    /// <summary>Prefix of the logical decoding messages carrying DDL.</summary>
    public const string MessagePrefix = "ibex_ddl";

    public const string Install = """
        CREATE SCHEMA IF NOT EXISTS ibex_ddl;
        CREATE TABLE IF NOT EXISTS ibex_ddl.scope (
            publication text PRIMARY KEY,
            sync text NOT NULL,
            schema_patterns text[] NOT NULL DEFAULT '{}',
            table_patterns text[] NOT NULL DEFAULT '{}'
        );
        CREATE TABLE IF NOT EXISTS ibex_ddl.lock (
            sync text PRIMARY KEY,
            holder text NOT NULL,
            statement text NOT NULL,
            taken_at timestamptz NOT NULL DEFAULT pg_catalog.now()
        );

        CREATE OR REPLACE FUNCTION ibex_ddl.publications_of(rel oid) RETURNS text[] LANGUAGE sql STABLE AS $f$
            SELECT coalesce(pg_catalog.array_agg(DISTINCT s.publication), '{}')
            FROM ibex_ddl.scope s
            JOIN pg_catalog.pg_publication p ON p.pubname = s.publication
            JOIN pg_catalog.pg_publication_rel pr ON pr.prpubid = p.oid
            WHERE pr.prrelid IN (SELECT $1
                UNION ALL SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = $1
                UNION ALL SELECT a.relid FROM pg_catalog.pg_partition_ancestors($1::pg_catalog.regclass) a)
        $f$;

        CREATE OR REPLACE FUNCTION ibex_ddl.statement_count(q text) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $f$
        DECLARE
            i integer := 1;
            n integer := pg_catalog.length(q);
            c text;
            d text;
            esc boolean;
            tag text;
            e integer;
            statements integer := 0;
            content boolean := false;
        BEGIN
            WHILE i <= n LOOP
                c := pg_catalog.substr(q, i, 1);
                IF c = '-' AND pg_catalog.substr(q, i + 1, 1) = '-' THEN
                    e := pg_catalog.strpos(pg_catalog.substr(q, i), E'\n');
                    i := CASE WHEN e = 0 THEN n + 1 ELSE i + e END;
                    CONTINUE;
                ELSIF c = '/' AND pg_catalog.substr(q, i + 1, 1) = '*' THEN
                    e := pg_catalog.strpos(pg_catalog.substr(q, i + 2), '*/');
                    i := CASE WHEN e = 0 THEN n + 1 ELSE i + e + 3 END;
                    CONTINUE;
                ELSIF c = ';' THEN
                    IF content THEN
                        statements := statements + 1;
                    END IF;
                    content := false;
                ELSIF c IN ('''', '"') THEN
                    content := true;
                    esc := c = '''' AND i > 1 AND pg_catalog.lower(pg_catalog.substr(q, i - 1, 1)) = 'e';
                    i := i + 1;
                    WHILE i <= n LOOP
                        d := pg_catalog.substr(q, i, 1);
                        IF d = c THEN
                            EXIT WHEN pg_catalog.substr(q, i + 1, 1) <> c;
                            i := i + 1;
                        ELSIF esc AND d = '\' THEN
                            i := i + 1;
                        END IF;
                        i := i + 1;
                    END LOOP;
                ELSIF c = '$' AND pg_catalog.substr(q, i, 66) ~ '^\$([A-Za-z_][A-Za-z_0-9]*)?\$' THEN
                    content := true;
                    tag := pg_catalog.substring(pg_catalog.substr(q, i, 66), '^\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$');
                    e := pg_catalog.strpos(pg_catalog.substr(q, i + pg_catalog.length(tag)), tag);
                    i := CASE WHEN e = 0 THEN n + 1 ELSE i + 2 * pg_catalog.length(tag) + e - 1 END;
                    CONTINUE;
                ELSIF c !~ '\s' THEN
                    content := true;
                END IF;
                i := i + 1;
            END LOOP;
            IF content THEN
                statements := statements + 1;
            END IF;
            RETURN statements;
        END
        $f$;

        CREATE OR REPLACE FUNCTION ibex_ddl.on_start() RETURNS event_trigger LANGUAGE plpgsql AS $f$
        BEGIN
            IF pg_catalog.current_setting('ibex_ddl.busy', true) = 'on' OR pg_catalog.current_setting('application_name') LIKE 'ibex%' THEN
                RETURN;
            END IF;
            PERFORM pg_catalog.set_config('ibex_ddl.before', coalesce((
                WITH pub AS (
                    SELECT pr.prrelid AS tab, s.publication
                    FROM ibex_ddl.scope s
                    JOIN pg_catalog.pg_publication p ON p.pubname = s.publication
                    JOIN pg_catalog.pg_publication_rel pr ON pr.prpubid = p.oid),
                rel AS (
                    SELECT pub.tab AS relid, pub.tab, pub.publication FROM pub
                    UNION ALL
                    SELECT i.indexrelid, pub.tab, pub.publication FROM pub JOIN pg_catalog.pg_index i ON i.indrelid = pub.tab)
                SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('oid', rel.relid::bigint, 'tab', rel.tab::bigint, 'schema', n.nspname, 'name', c.relname, 'pub', rel.publication))::text
                FROM rel JOIN pg_catalog.pg_class c ON c.oid = rel.relid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace), '[]'), true);
        END
        $f$;

        CREATE OR REPLACE FUNCTION ibex_ddl.on_end() RETURNS event_trigger LANGUAGE plpgsql AS $f$
        DECLARE
            before jsonb;
            pubs text[] := '{}';
            created jsonb := '[]';
            dropped jsonb := '[]';
            renamed jsonb := '[]';
            b record;
            lk record;
            cmd record;
            s record;
            nsp text;
            rel text;
            kind "char";
            part boolean;
            persistence "char";
            q text := pg_catalog.current_query();
            syncs text;
            statements integer;
        BEGIN
            IF pg_catalog.current_setting('ibex_ddl.busy', true) = 'on' OR pg_catalog.current_setting('application_name') LIKE 'ibex%' THEN
                RETURN;
            END IF;
            before := coalesce(nullif(pg_catalog.current_setting('ibex_ddl.before', true), ''), '[]')::jsonb;
            PERFORM pg_catalog.set_config('ibex_ddl.before', '', true);
            FOR b IN SELECT * FROM pg_catalog.jsonb_to_recordset(before) AS x(oid bigint, tab bigint, schema text, name text, pub text) LOOP
                SELECT n.nspname, c.relname INTO nsp, rel FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = b.oid::oid;
                IF NOT FOUND THEN
                    pubs := pubs || b.pub;
                    IF b.oid = b.tab THEN
                        dropped := dropped || pg_catalog.jsonb_build_object('pub', b.pub, 'schema', b.schema, 'name', b.name);
                    END IF;
                ELSIF nsp <> b.schema OR rel <> b.name THEN
                    pubs := pubs || b.pub;
                    IF b.oid = b.tab THEN
                        renamed := renamed || pg_catalog.jsonb_build_object('pub', b.pub, 'schema', b.schema, 'name', b.name, 'to_schema', nsp, 'to_name', rel);
                    END IF;
                END IF;
            END LOOP;
            FOR cmd IN SELECT * FROM pg_catalog.pg_event_trigger_ddl_commands() WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass LOOP
                pubs := pubs || ibex_ddl.publications_of(cmd.objid);
                SELECT n.nspname, c.relname, c.relkind, c.relispartition, c.relpersistence INTO nsp, rel, kind, part, persistence
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = cmd.objid;
                IF cmd.command_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') AND kind IN ('r', 'p') AND NOT part
                    AND persistence = 'p' AND NOT cmd.in_extension THEN
                    FOR s IN SELECT sc.publication FROM ibex_ddl.scope sc
                             WHERE EXISTS (SELECT 1 FROM ROWS FROM (pg_catalog.unnest(sc.schema_patterns), pg_catalog.unnest(sc.table_patterns)) AS p(sp, tp) WHERE nsp ~ p.sp AND rel ~ p.tp)
                               AND NOT sc.publication = ANY (ibex_ddl.publications_of(cmd.objid)) LOOP
                        PERFORM pg_catalog.set_config('ibex_ddl.busy', 'on', true);
                        EXECUTE pg_catalog.format('ALTER PUBLICATION %I ADD TABLE %s%I.%I', s.publication, CASE kind WHEN 'r' THEN 'ONLY ' ELSE '' END, nsp, rel);
                        PERFORM pg_catalog.set_config('ibex_ddl.busy', 'off', true);
                        created := created || pg_catalog.jsonb_build_object('pub', s.publication, 'schema', nsp, 'name', rel);
                        pubs := pubs || s.publication;
                    END LOOP;
                END IF;
            END LOOP;
            IF pg_catalog.cardinality(pubs) = 0 THEN
                RETURN;
            END IF;
            SELECT pg_catalog.array_agg(DISTINCT x ORDER BY x) INTO pubs FROM pg_catalog.unnest(pubs) AS x;
            SELECT pg_catalog.string_agg(DISTINCT sc.sync, ', ') INTO syncs FROM ibex_ddl.scope sc WHERE sc.publication = ANY (pubs);
            FOR lk IN SELECT l.sync, l.holder, l.statement FROM ibex_ddl.lock l
                      WHERE l.sync IN (SELECT sc.sync FROM ibex_ddl.scope sc WHERE sc.publication = ANY (pubs)) ORDER BY l.sync LIMIT 1 LOOP
                RAISE EXCEPTION 'ibex: sync %: node % holds the DDL lock until its DDL has reached every node; run this statement again once it has (ibex wait %)', lk.sync, lk.holder, lk.sync
                    USING DETAIL = pg_catalog.format('the DDL on %s: %s', lk.holder, pg_catalog.left(lk.statement, 200)), ERRCODE = '55P03';
            END LOOP;
            statements := ibex_ddl.statement_count(q);
            IF statements <> 1 THEN
                RAISE EXCEPTION 'ibex: % touches a table of sync %, which replicates DDL, but the query string holds % statements', tg_tag, syncs, statements
                    USING HINT = pg_catalog.format('send each DDL statement as a query of its own (psql -f or a driver, not psql -c with several), or stop DDL replication with: ibex sync set-ddl %s stop', syncs);
            END IF;
            IF pg_catalog.upper(pg_catalog.substring(q, '^\s*([A-Za-z]+)')) IN ('SELECT', 'DO', 'CALL', 'WITH', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'EXECUTE', 'VALUES')
                AND tg_tag NOT IN ('SELECT INTO', 'CREATE TABLE AS') THEN
                RAISE EXCEPTION 'ibex: % touches a table of sync %, which replicates DDL, but it runs inside a function or DO block', tg_tag, syncs
                    USING HINT = pg_catalog.format('run the DDL statement itself, or stop DDL replication with: ibex sync set-ddl %s stop', syncs);
            END IF;
            PERFORM pg_catalog.pg_logical_emit_message(true, 'ibex_ddl', pg_catalog.jsonb_build_object(
                'v', 1, 'sql', q, 'tag', tg_tag, 'search_path', pg_catalog.current_setting('search_path'), 'role', current_user::text,
                'pubs', pg_catalog.to_jsonb(pubs), 'created', created, 'dropped', dropped, 'renamed', renamed)::text);
        END
        $f$;

        DO $d$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtname = 'ibex_ddl_start') THEN
                CREATE EVENT TRIGGER ibex_ddl_start ON ddl_command_start EXECUTE FUNCTION ibex_ddl.on_start();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtname = 'ibex_ddl_end') THEN
                CREATE EVENT TRIGGER ibex_ddl_end ON ddl_command_end EXECUTE FUNCTION ibex_ddl.on_end();
            END IF;
        END
        $d$;
        """;

    /// <summary>Adds (or updates) one sync's publication and patterns: $1 publication, $2 sync, $3 schema regexes, $4 table regexes.</summary>
    public const string UpsertScope = """
        INSERT INTO ibex_ddl.scope (publication, sync, schema_patterns, table_patterns) VALUES ($1, $2, $3, $4)
        ON CONFLICT (publication) DO UPDATE SET sync = excluded.sync, schema_patterns = excluded.schema_patterns, table_patterns = excluded.table_patterns
        """;

    /// <summary>
    /// Multi-master: the copy of a sync's DDL lock on a node that does not hold it ($1 sync, $2 holder, $3 its
    /// statement); while it is there, the node's <c>ibex_ddl_end</c> refuses DDL touching the sync.
    /// </summary>
    public const string SetLock = """
        INSERT INTO ibex_ddl.lock (sync, holder, statement) VALUES ($1, $2, $3)
        ON CONFLICT (sync) DO UPDATE SET holder = excluded.holder, statement = excluded.statement
        WHERE (ibex_ddl.lock.holder, ibex_ddl.lock.statement) IS DISTINCT FROM (excluded.holder, excluded.statement)
        """;

    /// <summary>The DDL lock of sync $1 was released.</summary>
    public const string ClearLock = "DELETE FROM ibex_ddl.lock WHERE sync = $1";

    /// <summary>Takes one publication out of the scope, and drops the schema (with its triggers) when no sync needs it.</summary>
    public static string Remove(string publication) => $"""
        DO $d$
        BEGIN
            IF to_regclass('ibex_ddl.scope') IS NULL THEN
                RETURN;
            END IF;
            DELETE FROM ibex_ddl.lock WHERE sync IN (SELECT sync FROM ibex_ddl.scope WHERE publication = {Sql.Ident.Literal(publication)});
            DELETE FROM ibex_ddl.scope WHERE publication = {Sql.Ident.Literal(publication)};
            IF NOT EXISTS (SELECT 1 FROM ibex_ddl.scope) THEN
                DROP SCHEMA ibex_ddl CASCADE;
            END IF;
        END
        $d$
        """;
}
