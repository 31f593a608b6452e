CREATE TABLE items (id int NOT NULL, name text);
CREATE SEQUENCE loose_seq;
