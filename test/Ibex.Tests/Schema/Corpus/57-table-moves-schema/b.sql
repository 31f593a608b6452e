CREATE SCHEMA old_home;
CREATE SCHEMA new_home;
CREATE TABLE new_home.things (id int PRIMARY KEY, label text);
