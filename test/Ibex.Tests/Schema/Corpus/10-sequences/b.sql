CREATE SEQUENCE invoice_numbers AS integer INCREMENT BY 5 MINVALUE 100 MAXVALUE 1000000 START WITH 100 CACHE 10 CYCLE;
CREATE SEQUENCE plain_seq;
CREATE TABLE invoices (id bigint PRIMARY KEY, number int DEFAULT nextval('invoice_numbers'));
