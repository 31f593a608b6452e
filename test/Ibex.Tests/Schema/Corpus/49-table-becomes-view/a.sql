CREATE TABLE report (id int, total numeric);
CREATE TABLE base (id int, amount numeric);
