-- In the spirit of src/test/regress/sql/foreign_data.sql: a wrapper without an extension, servers with type,
-- version and options, and user mappings (their secrets are never printed: see ForeignDataTests).
CREATE FUNCTION remote_validator(text[], oid) RETURNS void LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE FOREIGN DATA WRAPPER remote_rows VALIDATOR remote_validator OPTIONS (debug 'false', mode 'read');
CREATE SERVER archive TYPE 'postgres' VERSION '15' FOREIGN DATA WRAPPER remote_rows OPTIONS (host 'archive', dbname 'history');
CREATE SERVER reports FOREIGN DATA WRAPPER remote_rows;
CREATE USER MAPPING FOR PUBLIC SERVER archive OPTIONS (user 'reader');
CREATE USER MAPPING FOR pg_monitor SERVER reports;
COMMENT ON SERVER archive IS 'the history database';
GRANT USAGE ON FOREIGN SERVER reports TO pg_monitor;
GRANT USAGE ON FOREIGN DATA WRAPPER remote_rows TO pg_monitor WITH GRANT OPTION;
