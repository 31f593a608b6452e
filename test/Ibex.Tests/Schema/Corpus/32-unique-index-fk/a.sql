CREATE TABLE parents (code text);
CREATE TABLE children (parent_code text);
