CREATE TABLE base (id int, amount numeric);
CREATE VIEW report AS SELECT id, sum(amount) AS total FROM base GROUP BY id;
