CREATE TABLE measurements (id bigint NOT NULL, taken date NOT NULL, value numeric) PARTITION BY RANGE (taken);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE measurements_other PARTITION OF measurements DEFAULT;
CREATE INDEX measurements_taken ON measurements (taken);
ALTER TABLE measurements ADD PRIMARY KEY (id, taken);
CREATE TABLE unrelated (id int);
