CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE ledger (id bigint NOT NULL, account int NOT NULL, at date NOT NULL, amount numeric) PARTITION BY RANGE (at);
CREATE TABLE ledger_2025 PARTITION OF ledger FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
