CREATE TABLE secrets (id int, owner name, value text);
CREATE VIEW mine WITH (security_invoker = true, security_barrier = true) AS SELECT id, value FROM secrets WHERE owner = current_user;
