CREATE TABLE names (id int, n text COLLATE "C", m text COLLATE "POSIX", o varchar(20) COLLATE "C");
