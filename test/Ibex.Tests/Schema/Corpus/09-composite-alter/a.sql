CREATE TYPE point3 AS (x float8, y float8);
CREATE TYPE pair AS (a int, b int);
CREATE TABLE shapes (id int PRIMARY KEY, origin point3);
