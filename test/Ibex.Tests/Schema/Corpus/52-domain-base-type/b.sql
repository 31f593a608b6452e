CREATE DOMAIN quantity AS numeric(12,3) DEFAULT 0 CHECK (VALUE >= 0);
CREATE TABLE stock (id int PRIMARY KEY, qty quantity NOT NULL, note text);
CREATE VIEW low_stock AS SELECT id FROM stock WHERE qty < 5;
