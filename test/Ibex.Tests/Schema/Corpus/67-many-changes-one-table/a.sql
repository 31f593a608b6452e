CREATE TABLE orders (id int, customer text, total real, status text, created date, legacy boolean);
