CREATE TABLE cache (k text, v text);
CREATE TABLE tuned (id int, doc text);
