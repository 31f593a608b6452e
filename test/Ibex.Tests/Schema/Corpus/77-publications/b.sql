-- In the spirit of src/test/regress/sql/publication.sql: table lists with column lists and row filters, schemas, options.
CREATE SCHEMA sales;
CREATE SCHEMA audit;
CREATE TABLE sales.orders (id int PRIMARY KEY, region text, total numeric);
CREATE TABLE sales.items (id int PRIMARY KEY, order_id int);
CREATE TABLE audit.log (id int PRIMARY KEY, what text);
CREATE TABLE measures (day date NOT NULL, v int) PARTITION BY RANGE (day);
CREATE TABLE measures_2026 PARTITION OF measures FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE PUBLICATION orders_pub FOR TABLE sales.orders (id, region) WHERE (region = 'eu'), TABLE sales.items WITH (publish = 'insert, update');
CREATE PUBLICATION audit_pub FOR TABLES IN SCHEMA audit;
CREATE PUBLICATION measures_pub FOR TABLE measures WITH (publish_via_partition_root = true);
CREATE PUBLICATION nothing_yet;
COMMENT ON PUBLICATION audit_pub IS 'audit trail';
