CREATE TABLE keep_me (id int);
CREATE TABLE old_table (id int, payload jsonb);
