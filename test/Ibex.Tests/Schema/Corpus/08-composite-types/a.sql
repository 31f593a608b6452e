CREATE TABLE shipments (id int PRIMARY KEY);
