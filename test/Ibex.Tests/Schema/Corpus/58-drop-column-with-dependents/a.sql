CREATE TABLE owners (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE pets (id int PRIMARY KEY, name text, species text, owner_code text REFERENCES owners (code));
CREATE INDEX pets_owner_name ON pets (owner_code, name);
CREATE VIEW pet_owners AS SELECT p.name, p.owner_code FROM pets p;
ALTER TABLE pets ADD CONSTRAINT species_known CHECK (species IN ('cat', 'dog') OR owner_code IS NULL);
