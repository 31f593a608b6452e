CREATE TABLE orders (id int NOT NULL, region text NOT NULL, total numeric, note text) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('de', 'fr', 'it');
CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');
CREATE INDEX orders_total ON orders (total);
CREATE INDEX orders_region ON orders (region, id);
