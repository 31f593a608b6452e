CREATE TYPE color AS ENUM ('red', 'green', 'blue', 'purple');
CREATE TABLE paint (id int PRIMARY KEY, name text, shade color DEFAULT 'red');
CREATE FUNCTION is_red(c color) RETURNS boolean LANGUAGE sql AS $$ SELECT c = 'red' $$;
