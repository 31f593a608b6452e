-- In the spirit of src/test/regress/sql/create_cast.sql: function, in/out and binary casts, each context.
CREATE TYPE temperature AS (celsius numeric);
CREATE FUNCTION temperature_text(t temperature) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT t.celsius || ' C' $$;
CREATE FUNCTION temperature_num(t temperature) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT t.celsius $$;
CREATE CAST (temperature AS text) WITH FUNCTION temperature_text(temperature) AS ASSIGNMENT;
CREATE CAST (temperature AS numeric) WITH FUNCTION temperature_num(temperature) AS IMPLICIT;
CREATE TYPE colour AS ENUM ('red', 'green');
CREATE CAST (colour AS int4) WITH INOUT;
CREATE TABLE readings (id int, t temperature);
CREATE VIEW reading_text AS SELECT id, t::text AS shown, t::numeric + 1 AS warmer FROM readings;
COMMENT ON CAST (temperature AS text) IS 'shown with its unit';
