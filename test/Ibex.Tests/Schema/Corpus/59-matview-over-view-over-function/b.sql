CREATE TABLE raw (id int, v numeric);
CREATE FUNCTION scaled(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT x * 100 $$;
CREATE VIEW cooked AS SELECT id, scaled(v) AS s FROM raw;
CREATE MATERIALIZED VIEW served AS SELECT id, s FROM cooked WHERE s > 0;
CREATE INDEX served_id ON served (id);
COMMENT ON MATERIALIZED VIEW served IS 'for the API';
