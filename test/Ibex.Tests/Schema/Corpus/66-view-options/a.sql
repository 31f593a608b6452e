CREATE TABLE secrets (id int, owner name, value text);
CREATE VIEW mine AS SELECT id, value FROM secrets WHERE owner = current_user;
