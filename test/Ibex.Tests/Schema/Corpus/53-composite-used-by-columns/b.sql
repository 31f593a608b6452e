CREATE TYPE price AS (amount numeric(16,4), currency char(3));
CREATE TABLE offers (id int PRIMARY KEY, list price, history price[], label text);
