CREATE UNLOGGED TABLE cache (k text, v text);
CREATE TABLE tuned (id int, doc text) WITH (fillfactor = 70, autovacuum_enabled = false, toast.autovacuum_enabled = false);
CREATE UNLOGGED TABLE scratch (x int) WITH (fillfactor = 50);
