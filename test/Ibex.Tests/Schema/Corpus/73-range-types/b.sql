-- In the spirit of src/test/regress/sql/rangetypes.sql and multirangetypes.sql.
CREATE FUNCTION time_diff(a time, b time) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT EXTRACT(EPOCH FROM (a - b)) $$;
CREATE TYPE time_range AS RANGE (SUBTYPE = time, SUBTYPE_DIFF = time_diff);
CREATE TYPE text_range AS RANGE (SUBTYPE = text, COLLATION = "C", MULTIRANGE_TYPE_NAME = text_ranges);
CREATE TYPE float_range AS RANGE (SUBTYPE = float8, SUBTYPE_OPCLASS = float8_ops);
CREATE TABLE shifts (id int PRIMARY KEY, hours time_range NOT NULL, breaks time_multirange, names text_range);
CREATE INDEX shifts_hours ON shifts USING gist (hours);
CREATE VIEW long_shifts AS SELECT id FROM shifts WHERE upper(hours) - lower(hours) > interval '8 hours';
COMMENT ON TYPE time_range IS 'opening hours';
