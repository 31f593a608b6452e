CREATE TABLE hits (id bigint NOT NULL, at date NOT NULL, site int NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE hits_2024 PARTITION OF hits FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX hits_site ON hits (site);
CREATE VIEW hit_count AS SELECT count(*) AS n FROM hits;
