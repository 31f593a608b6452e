CREATE TABLE vehicles (id int, wheels int);
CREATE TABLE cars (doors int) INHERITS (vehicles);
CREATE TABLE trucks (payload numeric, wheels int) INHERITS (vehicles);
