CREATE TABLE events (id int, kind text, at timestamptz);
CREATE INDEX events_lookup ON events (kind);
CREATE INDEX events_gone ON events (at);
