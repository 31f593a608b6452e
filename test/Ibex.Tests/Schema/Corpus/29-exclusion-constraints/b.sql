CREATE EXTENSION btree_gist;
CREATE TABLE bookings (id int, room int, during tsrange, EXCLUDE USING gist (room WITH =, during WITH &&));
CREATE TABLE areas (id int, shape box, EXCLUDE USING gist (shape WITH &&) WHERE (id > 0));
