CREATE TABLE boxes (w int, h int);
