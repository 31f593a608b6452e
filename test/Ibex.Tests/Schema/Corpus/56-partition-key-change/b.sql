CREATE TABLE hits (id bigint NOT NULL, at date NOT NULL, site int NOT NULL) PARTITION BY LIST (site);
CREATE TABLE hits_2024 PARTITION OF hits FOR VALUES IN (1, 2, 3);
CREATE INDEX hits_site ON hits (site);
CREATE VIEW hit_count AS SELECT count(*) AS n FROM hits;
