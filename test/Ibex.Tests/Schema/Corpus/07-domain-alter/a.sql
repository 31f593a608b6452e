CREATE DOMAIN score AS integer CHECK (VALUE >= 0);
CREATE DOMAIN code AS text;
CREATE TABLE results (id int PRIMARY KEY, s score, c code);
