CREATE DOMAIN positive_int AS integer NOT NULL DEFAULT 1 CONSTRAINT positive CHECK (VALUE > 0);
CREATE DOMAIN email AS text COLLATE "C" CHECK (VALUE ~ '@');
CREATE TABLE accounts (id int PRIMARY KEY, quota positive_int, contact email);
