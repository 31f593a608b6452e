CREATE TABLE local_only (id int);
