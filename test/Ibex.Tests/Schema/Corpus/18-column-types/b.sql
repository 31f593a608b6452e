CREATE TABLE metrics (id bigint, label varchar(50), value double precision, note varchar(200), small integer, price numeric(12,2));
