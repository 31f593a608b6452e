CREATE TABLE events (id int, kind text);
CREATE TABLE events_log (id int, kind text, at timestamptz DEFAULT now());
CREATE RULE log_events AS ON INSERT TO events DO ALSO INSERT INTO events_log (id, kind) VALUES (NEW.id, NEW.kind);
CREATE RULE no_delete AS ON DELETE TO events DO INSTEAD NOTHING;
