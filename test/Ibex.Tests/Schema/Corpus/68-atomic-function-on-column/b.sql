CREATE TABLE readings (id int, v bigint);
CREATE FUNCTION total() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT sum(v) FROM readings; END;
CREATE VIEW summary AS SELECT total() AS t;
