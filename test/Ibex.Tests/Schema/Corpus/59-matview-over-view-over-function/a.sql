CREATE TABLE raw (id int, v numeric);
