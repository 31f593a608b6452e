CREATE SCHEMA sales;
CREATE TABLE sales.orders (id int PRIMARY KEY, region text, total numeric);
CREATE TABLE sales.items (id int PRIMARY KEY, order_id int);
CREATE PUBLICATION orders_pub FOR TABLE sales.orders;
CREATE PUBLICATION everything FOR ALL TABLES;
