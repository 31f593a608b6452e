CREATE TABLE events (id int, kind text, at timestamptz);
CREATE INDEX events_lookup ON events (kind, at);
