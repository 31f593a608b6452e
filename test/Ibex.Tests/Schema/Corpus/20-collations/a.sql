CREATE TABLE names (id int, n text, m text COLLATE "C");
