CREATE SCHEMA api;
CREATE TABLE api.t (id int, secret text);
CREATE SEQUENCE api.s;
CREATE FUNCTION api.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION api.g() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;
CREATE TYPE api.e AS ENUM ('x');
GRANT SELECT, INSERT ON api.t TO pg_monitor;
GRANT ALL ON api.t TO pg_read_all_data;
