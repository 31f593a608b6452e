CREATE TABLE events (id int, kind text, at timestamptz);
CREATE INDEX events_lookup ON events (kind, at);
COMMENT ON INDEX events_lookup IS 'kind then time';
