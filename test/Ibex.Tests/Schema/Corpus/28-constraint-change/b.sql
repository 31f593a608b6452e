CREATE TABLE pairs (a int, b int, CONSTRAINT pairs_check CHECK (a <= b), CONSTRAINT pairs_key UNIQUE (a, b));
CREATE TABLE refs (a int, b int, FOREIGN KEY (a, b) REFERENCES pairs (a, b));
