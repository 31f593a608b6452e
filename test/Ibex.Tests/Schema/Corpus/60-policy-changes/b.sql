CREATE TABLE notes (id int, author name, body text, shared boolean);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_own ON notes FOR SELECT USING (author = current_user OR shared);
CREATE POLICY write_own ON notes FOR INSERT TO pg_monitor, pg_read_all_data WITH CHECK (author = current_user);
