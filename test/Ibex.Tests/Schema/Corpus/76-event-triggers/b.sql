-- In the spirit of src/test/regress/sql/event_trigger.sql: events, tag filters and enable modes.
CREATE FUNCTION note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'ddl: %', tg_tag; END $$;
CREATE FUNCTION note_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'dropped'; END $$;
CREATE EVENT TRIGGER note_all_ddl ON ddl_command_end EXECUTE FUNCTION note_ddl();
ALTER EVENT TRIGGER note_all_ddl DISABLE;
CREATE EVENT TRIGGER note_table_ddl ON ddl_command_start WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION note_ddl();
CREATE EVENT TRIGGER note_drops ON sql_drop EXECUTE FUNCTION note_drop();
ALTER EVENT TRIGGER note_drops ENABLE ALWAYS;
COMMENT ON EVENT TRIGGER note_drops IS 'say what went';
