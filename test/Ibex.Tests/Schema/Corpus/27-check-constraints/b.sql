CREATE TABLE temps (id int, c numeric CHECK (c > -273.15), f numeric);
ALTER TABLE temps ADD CONSTRAINT f_range CHECK (f BETWEEN -459.67 AND 10000) NOT VALID;
ALTER TABLE temps ADD CONSTRAINT "Named Check" CHECK (id <> 0) NO INHERIT;
