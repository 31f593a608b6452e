namespace Ibex.Control;

/// <summary>
/// The control schema, as numbered migrations. A migration never changes once released: new needs get a new
/// number. <c>ibex init</c> applies the missing ones in order, each in its own transaction.
/// </summary>
public static class Migrations
{
    public static readonly IReadOnlyList<(int Version, string Description, string Sql)> All =
    [
        (1, "nodes, syncs, tables, links, copy state, events", """
            CREATE TABLE ibex.node (
                name text PRIMARY KEY,
                dsn text NOT NULL,
                server_version_num integer NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE ibex.sync (
                name text PRIMARY KEY,
                enabled boolean NOT NULL DEFAULT true,
                copy_mode text NOT NULL CHECK (copy_mode IN ('auto', 'always', 'never')),
                conflict_strategy text NOT NULL DEFAULT 'latest',
                publication_name text NOT NULL,
                options jsonb NOT NULL DEFAULT '{}',
                created_at timestamptz NOT NULL DEFAULT now(),
                config_version bigint NOT NULL DEFAULT 1
            );

            CREATE TABLE ibex.sync_node (
                sync text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
                node text NOT NULL REFERENCES ibex.node (name),
                role text NOT NULL CHECK (role IN ('source', 'target', 'fullcopy')),
                slot_name text,
                reader_state jsonb,
                PRIMARY KEY (sync, node),
                CHECK (role = 'source' OR slot_name IS NULL)
            );

            CREATE TABLE ibex.sync_table (
                sync text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
                schema_name text NOT NULL,
                table_name text NOT NULL,
                options jsonb NOT NULL DEFAULT '{}',
                added_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (sync, schema_name, table_name)
            );

            CREATE TABLE ibex.link (
                sync text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
                source text NOT NULL,
                target text NOT NULL,
                origin_name text NOT NULL,
                state text NOT NULL DEFAULT 'starting',
                error text,
                error_at timestamptz,
                position_lsn pg_lsn,
                last_commit_ts timestamptz,
                last_applied_at timestamptz,
                lag_seconds double precision,
                lag_bytes bigint,
                inserts bigint NOT NULL DEFAULT 0,
                updates bigint NOT NULL DEFAULT 0,
                deletes bigint NOT NULL DEFAULT 0,
                truncates bigint NOT NULL DEFAULT 0,
                transactions bigint NOT NULL DEFAULT 0,
                updated_at timestamptz,
                PRIMARY KEY (sync, source, target)
            );

            CREATE TABLE ibex.table_copy (
                sync text NOT NULL,
                source text NOT NULL,
                target text NOT NULL,
                schema_name text NOT NULL,
                table_name text NOT NULL,
                state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'copying', 'done', 'skipped')),
                copy_lsn pg_lsn,
                rows_estimated bigint,
                bytes_copied bigint NOT NULL DEFAULT 0,
                bytes_estimated bigint,
                error text,
                started_at timestamptz,
                finished_at timestamptz,
                PRIMARY KEY (sync, source, target, schema_name, table_name),
                FOREIGN KEY (sync, schema_name, table_name) REFERENCES ibex.sync_table ON DELETE CASCADE
            );

            CREATE TABLE ibex.event (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                sync text,
                node text,
                level text NOT NULL,
                message text NOT NULL
            );
            CREATE INDEX event_sync_at ON ibex.event (sync, at);
            """),
        (2, "conflict log", """
            CREATE TABLE ibex.conflict (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                sync text NOT NULL,
                schema_name text NOT NULL,
                table_name text NOT NULL,
                key jsonb NOT NULL,
                kind text NOT NULL CHECK (kind IN ('insert_insert', 'update_update', 'update_delete', 'delete_update', 'delete_delete', 'unique_violation')),
                node text NOT NULL,
                local_origin text,
                remote_origin text NOT NULL,
                local_row jsonb,
                remote_row jsonb,
                local_commit_ts timestamptz,
                remote_commit_ts timestamptz,
                strategy text NOT NULL,
                winner text NOT NULL CHECK (winner IN ('local', 'remote', 'custom', 'aborted')),
                resolved boolean NOT NULL DEFAULT true,
                remote_lsn pg_lsn
            );
            CREATE INDEX conflict_sync_at ON ibex.conflict (sync, at);
            """),
        (3, "kicks", """
            CREATE TABLE ibex.kick (
                id bigserial PRIMARY KEY,
                sync text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
                requested_at timestamptz NOT NULL DEFAULT now(),
                started_at timestamptz,
                finished_at timestamptz,
                status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
                rows bigint,
                message text
            );
            CREATE INDEX kick_sync_status ON ibex.kick (sync, status);
            """),
        (4, "conflict kinds named as PostgreSQL names them", """
            ALTER TABLE ibex.conflict DROP CONSTRAINT conflict_kind_check;
            UPDATE ibex.conflict SET kind = CASE kind
                WHEN 'insert_insert' THEN 'insert_exists'
                WHEN 'update_update' THEN 'update_origin_differs'
                WHEN 'update_delete' THEN 'update_deleted'
                WHEN 'delete_update' THEN 'delete_origin_differs'
                WHEN 'delete_delete' THEN 'delete_missing'
                WHEN 'unique_violation' THEN 'insert_exists'
                ELSE kind END;
            ALTER TABLE ibex.conflict ADD CONSTRAINT conflict_kind_check CHECK (kind IN ('insert_exists', 'update_origin_differs',
                'update_exists', 'update_deleted', 'update_missing', 'delete_origin_differs', 'delete_missing', 'multiple_unique_conflicts'));
            """),
        (5, "failover slots per node", """
            ALTER TABLE ibex.node ADD COLUMN failover_slots boolean NOT NULL DEFAULT false;
            """),
        (6, "initial copy by ranges, resumable", """
            CREATE TABLE ibex.table_copy_range (
                sync text NOT NULL,
                source text NOT NULL,
                target text NOT NULL,
                schema_name text NOT NULL,
                table_name text NOT NULL,
                range_no integer NOT NULL,
                kind text NOT NULL CHECK (kind IN ('integer', 'uuid', 'block')),
                key_column text,
                lower_bound text,
                upper_bound text,
                state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'committing', 'done')),
                target_xid bigint,
                copy_lsn pg_lsn,
                bytes_copied bigint NOT NULL DEFAULT 0,
                finished_at timestamptz,
                PRIMARY KEY (sync, source, target, schema_name, table_name, range_no),
                FOREIGN KEY (sync, source, target, schema_name, table_name) REFERENCES ibex.table_copy ON DELETE CASCADE
            );
            """),
        (7, "rows copied per table; indexes deferred during an initial copy", """
            ALTER TABLE ibex.table_copy ADD COLUMN rows_copied bigint NOT NULL DEFAULT 0;

            CREATE TABLE ibex.deferred_index (
                sync text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
                source text NOT NULL,
                target text NOT NULL,
                schema_name text NOT NULL,
                table_name text NOT NULL,
                index_name text NOT NULL,
                definition text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (sync, source, target, schema_name, index_name)
            );
            """),
        (8, "DDL mode per sync", """
            ALTER TABLE ibex.sync ADD COLUMN ddl text NOT NULL DEFAULT 'stop' CHECK (ddl IN ('stop', 'replicate', 'ignore'));
            """),
        (9, "links of a node joining a live sync start where its copy ends", """
            ALTER TABLE ibex.link ADD COLUMN start_after_copy_from text;
            """),
        (10, "multi-master DDL lock; schema checked after replicated DDL", """
            CREATE TABLE ibex.ddl_lock (
                sync text PRIMARY KEY REFERENCES ibex.sync (name) ON DELETE CASCADE,
                holder text NOT NULL,
                lsn pg_lsn NOT NULL,
                statement text NOT NULL,
                taken_at timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE ibex.schema_check (
                sync text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
                node text NOT NULL,
                reference text NOT NULL,
                checked_at timestamptz NOT NULL DEFAULT now(),
                drift text,
                PRIMARY KEY (sync, node)
            );
            """),
    ];

    public static int Latest => All[^1].Version;
}
