CREATE FUNCTION greet(name text) RETURNS text LANGUAGE sql AS $$ SELECT 'hello ' || name $$;
CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;
CREATE TABLE t (id int, n int DEFAULT answer());
CREATE VIEW v AS SELECT greet('x') AS g, answer() AS a;
CREATE FUNCTION dropped(x int) RETURNS int LANGUAGE sql AS $$ SELECT x $$;
