CREATE TABLE items (id serial, name text);
CREATE SEQUENCE loose_seq OWNED BY items.name;
