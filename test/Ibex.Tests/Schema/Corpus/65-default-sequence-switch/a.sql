CREATE SEQUENCE first_seq;
CREATE SEQUENCE second_seq START 1000;
CREATE TABLE tickets (id bigint DEFAULT nextval('first_seq') PRIMARY KEY);
