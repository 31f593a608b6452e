CREATE TYPE address AS (street text, city text COLLATE "C", zip varchar(10));
CREATE TABLE shipments (id int PRIMARY KEY, destination address);
CREATE FUNCTION city_of(a address) RETURNS text LANGUAGE sql AS $$ SELECT a.city $$;
