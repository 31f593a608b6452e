CREATE FUNCTION greet(name text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'hi ' || name $$;
CREATE FUNCTION answer() RETURNS bigint LANGUAGE sql AS $$ SELECT 42::bigint $$;
CREATE TABLE t (id int, n int DEFAULT answer());
CREATE VIEW v AS SELECT greet('x') AS g, answer() AS a;
CREATE FUNCTION dropped(x bigint) RETURNS int LANGUAGE sql AS $$ SELECT x::int $$;
