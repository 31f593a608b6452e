CREATE SCHEMA sales;
CREATE SCHEMA "Mixed Case";
CREATE TABLE sales.orders (id int);
CREATE TABLE "Mixed Case"."Some Table" (id int);
