CREATE SCHEMA ext;
CREATE EXTENSION citext WITH SCHEMA public;
CREATE EXTENSION hstore WITH SCHEMA ext;
CREATE TABLE docs (id int PRIMARY KEY, body text, email citext, attrs ext.hstore);
