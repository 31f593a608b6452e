CREATE TABLE accounts (id int PRIMARY KEY, balance numeric(10,2), owner text);
CREATE VIEW rich AS SELECT id, balance FROM accounts WHERE balance > 1000;
CREATE VIEW very_rich AS SELECT id FROM rich WHERE balance > 100000;
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON accounts USING (owner = current_user AND balance >= 0);
