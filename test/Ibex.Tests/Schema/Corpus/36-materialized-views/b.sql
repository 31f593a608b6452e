CREATE TABLE sales (id int, region text, amount numeric);
CREATE MATERIALIZED VIEW totals AS SELECT region, sum(amount) AS total, count(*) AS n FROM sales GROUP BY region;
CREATE UNIQUE INDEX totals_region ON totals (region);
CREATE MATERIALIZED VIEW regions AS SELECT DISTINCT region FROM sales WITH NO DATA;
CREATE INDEX regions_idx ON regions (region);
