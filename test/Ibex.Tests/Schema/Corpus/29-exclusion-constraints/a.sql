CREATE TABLE bookings (id int, room int, during tsrange);
