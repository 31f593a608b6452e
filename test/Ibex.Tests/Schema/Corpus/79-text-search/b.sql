-- In the spirit of src/test/regress/sql/tsdicts.sql: dictionaries on built-in templates and a configuration
-- whose mappings try them in order, used by an index and a generated column.
CREATE TEXT SEARCH DICTIONARY english_stem_nostop (TEMPLATE = snowball, language = 'english', stopwords = 'english');
CREATE TEXT SEARCH DICTIONARY simple_lower (TEMPLATE = pg_catalog.simple, accept = false);
CREATE TEXT SEARCH CONFIGURATION docs (COPY = english);
ALTER TEXT SEARCH CONFIGURATION docs ALTER MAPPING FOR asciiword, word WITH simple_lower, english_stem_nostop;
ALTER TEXT SEARCH CONFIGURATION docs DROP MAPPING FOR url;
CREATE TABLE documents (id int PRIMARY KEY, body text, tsv tsvector GENERATED ALWAYS AS (to_tsvector('public.docs', body)) STORED);
CREATE INDEX documents_fts ON documents USING gin (to_tsvector('public.docs'::regconfig, body));
COMMENT ON TEXT SEARCH CONFIGURATION docs IS 'for documents';
