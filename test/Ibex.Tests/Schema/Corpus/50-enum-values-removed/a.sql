CREATE TYPE color AS ENUM ('red', 'green', 'blue', 'purple');
CREATE TABLE paint (id int PRIMARY KEY, shade color DEFAULT 'red', mix color[], name text, fallback text DEFAULT 'blue'::color::text);
CREATE INDEX paint_not_blue ON paint (id) WHERE shade <> 'blue';
ALTER TABLE paint ADD CONSTRAINT paint_no_purple CHECK (shade <> 'purple');
CREATE VIEW reds AS SELECT id, name FROM paint WHERE shade = 'red';
CREATE FUNCTION is_red(c color) RETURNS boolean LANGUAGE sql AS $$ SELECT c = 'red' $$;
