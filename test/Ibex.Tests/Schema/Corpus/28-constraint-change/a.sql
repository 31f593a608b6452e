CREATE TABLE pairs (a int, b int, CONSTRAINT pairs_check CHECK (a < b), CONSTRAINT pairs_key UNIQUE (a));
CREATE TABLE refs (a int REFERENCES pairs (a));
