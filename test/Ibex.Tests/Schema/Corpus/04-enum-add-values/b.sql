CREATE TYPE mood AS ENUM ('furious', 'sad', 'ok', 'happy', 'ecstatic');
CREATE TABLE people (id int PRIMARY KEY, name text, feeling mood DEFAULT 'ok');
