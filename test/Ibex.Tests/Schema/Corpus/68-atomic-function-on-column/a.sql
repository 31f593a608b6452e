CREATE TABLE readings (id int, v int, note text);
CREATE FUNCTION total() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT sum(v) FROM readings; END;
CREATE FUNCTION notes() RETURNS SETOF text LANGUAGE sql BEGIN ATOMIC SELECT note FROM readings; END;
CREATE VIEW summary AS SELECT total() AS t;
