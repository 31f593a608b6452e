CREATE TABLE audit_log (at timestamptz, what text);
CREATE TABLE accounts (id int PRIMARY KEY, balance numeric, updated timestamptz);
