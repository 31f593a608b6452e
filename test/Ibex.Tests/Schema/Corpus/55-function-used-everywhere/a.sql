CREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;
CREATE TABLE words (id int, w text DEFAULT norm('X'), CONSTRAINT w_normal CHECK (w = norm(w)));
CREATE INDEX words_norm ON words (norm(w));
CREATE VIEW normal_words AS SELECT norm(w) AS n FROM words;
