CREATE TABLE documents (id int PRIMARY KEY, owner name, secret boolean);
CREATE POLICY old_policy ON documents FOR DELETE USING (false);
