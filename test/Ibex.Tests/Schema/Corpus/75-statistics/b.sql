-- In the spirit of src/test/regress/sql/stats_ext.sql: kinds, expressions and a statistics target.
CREATE TABLE addresses (zip text, city text, country text);
CREATE STATISTICS addr_dep (dependencies, ndistinct) ON zip, city FROM addresses;
CREATE STATISTICS addr_mcv (mcv) ON city, country FROM addresses;
ALTER STATISTICS addr_mcv SET STATISTICS 500;
CREATE STATISTICS addr_expr ON lower(city), country FROM addresses;
COMMENT ON STATISTICS addr_mcv IS 'city and country go together';
