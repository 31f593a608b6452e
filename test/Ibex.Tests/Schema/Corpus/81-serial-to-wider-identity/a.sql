CREATE TABLE rentals (id serial PRIMARY KEY, note text);
CREATE VIEW recent_rentals AS SELECT id FROM rentals WHERE id > 100;
