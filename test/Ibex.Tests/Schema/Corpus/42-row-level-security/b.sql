CREATE TABLE documents (id int PRIMARY KEY, owner name, secret boolean);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_reads ON documents FOR SELECT TO PUBLIC USING (owner = current_user);
CREATE POLICY no_secrets ON documents AS RESTRICTIVE FOR SELECT TO pg_read_all_data USING (NOT secret);
CREATE POLICY owner_writes ON documents FOR INSERT WITH CHECK (owner = current_user);
CREATE POLICY owner_updates ON documents FOR UPDATE TO pg_monitor, pg_read_all_data USING (owner = current_user) WITH CHECK (owner = current_user);
