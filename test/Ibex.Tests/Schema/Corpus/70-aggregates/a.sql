CREATE TABLE tags (item int, tag text, weight float8);
CREATE FUNCTION concat_step(acc text, v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN acc IS NULL THEN v ELSE acc || ',' || v END $$;
CREATE AGGREGATE old_concat(text) (SFUNC = concat_step, STYPE = text);
