CREATE TABLE temps (id int, c numeric, f numeric);
