CREATE TABLE sales (id int, region text, amount numeric);
CREATE MATERIALIZED VIEW totals AS SELECT region, sum(amount) AS total FROM sales GROUP BY region;
CREATE UNIQUE INDEX totals_region ON totals (region);
