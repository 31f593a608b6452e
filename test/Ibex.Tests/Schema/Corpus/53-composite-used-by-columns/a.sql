CREATE TYPE price AS (amount numeric(10,2), currency char(3));
CREATE TABLE offers (id int PRIMARY KEY, list price, history price[], label text);
