CREATE TABLE parents (id int PRIMARY KEY, name text);
CREATE TABLE children (id int PRIMARY KEY, parent_id int REFERENCES parents (id), name text);
CREATE INDEX children_parent ON children (parent_id);
