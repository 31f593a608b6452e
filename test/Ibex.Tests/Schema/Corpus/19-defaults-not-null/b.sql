CREATE TABLE settings (key text NOT NULL, value text DEFAULT 'none', updated timestamptz DEFAULT now() NOT NULL, version int DEFAULT 1);
