CREATE TABLE articles (id int PRIMARY KEY, title text, body text, published boolean, tags text[], score int);
