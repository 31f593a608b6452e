CREATE TABLE keep_me (id int);
CREATE TABLE new_table (id int, payload jsonb, created timestamptz DEFAULT now(), tags text[], amount numeric(12,2), flag boolean DEFAULT false NOT NULL, ip inet, bits bit varying(8), period tstzrange);
CREATE TABLE empty_one ();
