CREATE TABLE vehicles (id int, wheels int);
