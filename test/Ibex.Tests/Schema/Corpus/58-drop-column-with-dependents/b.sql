CREATE TABLE owners (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE pets (id int PRIMARY KEY, name text, species text);
CREATE VIEW pet_owners AS SELECT p.name FROM pets p;
