CREATE TABLE parents (id bigint PRIMARY KEY, name text);
CREATE TABLE children (id int PRIMARY KEY, parent_id bigint REFERENCES parents (id), name text);
CREATE INDEX children_parent ON children (parent_id);
