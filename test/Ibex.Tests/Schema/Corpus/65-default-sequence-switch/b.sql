CREATE SEQUENCE second_seq START 1000;
CREATE TABLE tickets (id bigint DEFAULT nextval('second_seq') PRIMARY KEY);
