CREATE COLLATION german (provider = libc, locale = 'C');
CREATE TABLE names (id int, name text COLLATE german);
