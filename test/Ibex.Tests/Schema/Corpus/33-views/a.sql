CREATE TABLE staff (id int PRIMARY KEY, name text, salary numeric, active boolean);
