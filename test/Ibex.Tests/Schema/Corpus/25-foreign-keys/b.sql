CREATE TABLE authors (id int PRIMARY KEY, name text);
CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors (id) ON DELETE CASCADE, editor_id int);
ALTER TABLE books ADD CONSTRAINT books_editor_fk FOREIGN KEY (editor_id) REFERENCES authors (id) ON UPDATE SET NULL DEFERRABLE NOT VALID;
