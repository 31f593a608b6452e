-- In the spirit of src/test/regress/sql/collate.icu.utf8.sql: ICU (also nondeterministic) and libc collations used by columns, indexes and domains.
CREATE COLLATION case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION german (provider = icu, locale = 'de-DE');
CREATE COLLATION posix_c (provider = libc, lc_collate = 'C', lc_ctype = 'C');
CREATE DOMAIN ci_text AS text COLLATE case_insensitive;
CREATE TABLE names (id int, name text COLLATE german, login ci_text, code text COLLATE posix_c);
CREATE INDEX names_code ON names (code COLLATE posix_c);
CREATE VIEW sorted_names AS SELECT name FROM names ORDER BY name COLLATE german;
COMMENT ON COLLATION german IS 'German sort order';
