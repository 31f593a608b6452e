-- In the spirit of src/test/regress/sql/rules.sql: ALSO and INSTEAD rules on tables, an updatable view by rules, a disabled rule.
CREATE TABLE events (id int, kind text);
CREATE TABLE events_log (id int, kind text, at timestamptz DEFAULT now());
CREATE RULE log_events AS ON INSERT TO events WHERE NEW.kind <> 'noise' DO ALSO INSERT INTO events_log (id, kind) VALUES (NEW.id, NEW.kind);
CREATE RULE keep_updates AS ON UPDATE TO events DO ALSO INSERT INTO events_log (id, kind) VALUES (OLD.id, 'updated');
ALTER TABLE events DISABLE RULE keep_updates;
CREATE VIEW recent AS SELECT id, kind FROM events;
CREATE RULE recent_insert AS ON INSERT TO recent DO INSTEAD INSERT INTO events VALUES (NEW.id, NEW.kind);
COMMENT ON RULE log_events ON events IS 'audit trail';
