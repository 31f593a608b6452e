CREATE TABLE metrics (id int, label varchar(10), value real, note text, small smallint, price numeric(8,2));
