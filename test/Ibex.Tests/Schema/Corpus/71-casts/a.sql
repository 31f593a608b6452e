CREATE TYPE temperature AS (celsius numeric);
CREATE FUNCTION temperature_text(t temperature) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT t.celsius || ' C' $$;
CREATE CAST (temperature AS text) WITH FUNCTION temperature_text(temperature);
CREATE TYPE old_code AS ENUM ('1', '2');
CREATE CAST (old_code AS int) WITH INOUT;
