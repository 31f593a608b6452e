CREATE TYPE temperature AS (value numeric, unit text);
CREATE FUNCTION to_temperature(c numeric) RETURNS temperature LANGUAGE sql IMMUTABLE AS $$ SELECT ROW(c * 9 / 5 + 32, 'F')::temperature $$;
CREATE TABLE readings (id int PRIMARY KEY, celsius numeric);
CREATE VIEW fahrenheit AS SELECT id, (to_temperature(celsius)).value AS f FROM readings;
CREATE VIEW hot AS SELECT id FROM fahrenheit WHERE f > 90;
