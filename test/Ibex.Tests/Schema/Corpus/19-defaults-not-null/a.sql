CREATE TABLE settings (key text, value text, updated timestamptz, version int);
