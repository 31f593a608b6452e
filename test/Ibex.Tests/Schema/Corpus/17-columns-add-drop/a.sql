CREATE TABLE customers (id int PRIMARY KEY, name text, legacy_code char(4));
