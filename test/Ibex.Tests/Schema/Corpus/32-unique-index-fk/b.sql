CREATE TABLE parents (code text);
CREATE UNIQUE INDEX parents_code ON parents (code);
CREATE TABLE children (parent_code text REFERENCES parents (code));
