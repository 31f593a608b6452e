CREATE TABLE articles (id int PRIMARY KEY, title text, body text, published boolean, tags text[], score int);
CREATE INDEX articles_published_title ON articles (title) WHERE published;
CREATE INDEX articles_lower_title ON articles (lower(title) text_pattern_ops);
CREATE UNIQUE INDEX articles_title_score ON articles (title, score DESC NULLS LAST) INCLUDE (published);
CREATE INDEX articles_tags ON articles USING gin (tags);
CREATE INDEX articles_score_hash ON articles USING hash (score);
CREATE INDEX articles_fts ON articles USING gin (to_tsvector('english', body)) WITH (fastupdate = off);
CREATE INDEX articles_brin ON articles USING brin (id) WITH (pages_per_range = 32);
