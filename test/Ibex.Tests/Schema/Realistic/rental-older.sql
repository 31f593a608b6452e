-- An older version of rental.sql: fewer ratings and columns, a different group_concat, payments in one table,
-- no rule, statistics, collation or range type yet, other policies and comments, and a table dropped since.
CREATE SCHEMA rental;
SET search_path TO rental, public;

CREATE TYPE rental.mpaa_rating AS ENUM ('G', 'PG', 'R');
CREATE DOMAIN rental.year AS integer CHECK (VALUE >= 1901 AND VALUE <= 2155);
CREATE DOMAIN rental.money_amount AS numeric(6,2);

CREATE FUNCTION rental.last_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.last_update := now();
  RETURN NEW;
END
$$;

CREATE FUNCTION rental._group_concat(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 || ',' || $2 END
$$;
CREATE AGGREGATE rental.group_concat(text) (SFUNC = rental._group_concat, STYPE = text, INITCOND = '');

CREATE TABLE rental.country (
  country_id serial PRIMARY KEY,
  country text NOT NULL,
  last_update timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rental.city (
  city_id serial PRIMARY KEY,
  city text NOT NULL,
  country_id integer NOT NULL REFERENCES rental.country,
  last_update timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rental.address (
  address_id serial PRIMARY KEY,
  address text NOT NULL,
  district text NOT NULL,
  city_id integer NOT NULL REFERENCES rental.city,
  postal_code text,
  phone text NOT NULL,
  last_update timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rental.store (
  store_id serial PRIMARY KEY,
  address_id integer NOT NULL REFERENCES rental.address,
  last_update timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rental.staff (
  staff_id serial PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  address_id integer NOT NULL REFERENCES rental.address,
  email text,
  store_id integer NOT NULL REFERENCES rental.store,
  active boolean NOT NULL DEFAULT true,
  username text NOT NULL,
  password text,
  last_update timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rental.customer (
  customer_id serial PRIMARY KEY,
  store_id integer NOT NULL REFERENCES rental.store,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text,
  address_id integer NOT NULL REFERENCES rental.address,
  active boolean NOT NULL DEFAULT true,
  create_date date NOT NULL DEFAULT CURRENT_DATE,
  last_update timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_last_name ON rental.customer (last_name, first_name);
CREATE TABLE rental.language (language_id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE rental.category (category_id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE rental.actor (
  actor_id serial PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  last_update timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rental.film (
  film_id serial PRIMARY KEY,
  title text NOT NULL,
  description text,
  release_year rental.year,
  language_id integer NOT NULL REFERENCES rental.language,
  rental_duration smallint NOT NULL DEFAULT 3,
  rental_rate rental.money_amount NOT NULL DEFAULT 4.99,
  length smallint,
  replacement_cost rental.money_amount NOT NULL DEFAULT 19.99,
  rating rental.mpaa_rating DEFAULT 'G',
  last_update timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rental.film_actor (
  actor_id integer NOT NULL REFERENCES rental.actor,
  film_id integer NOT NULL REFERENCES rental.film,
  last_update timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor_id, film_id)
);
CREATE TABLE rental.film_category (
  film_id integer NOT NULL REFERENCES rental.film,
  category_id integer NOT NULL REFERENCES rental.category,
  PRIMARY KEY (film_id, category_id)
);
CREATE TABLE rental.inventory (
  inventory_id serial PRIMARY KEY,
  film_id integer NOT NULL REFERENCES rental.film,
  store_id integer NOT NULL REFERENCES rental.store,
  last_update timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rental.rental (
  rental_id serial PRIMARY KEY,
  rental_date timestamptz NOT NULL,
  inventory_id integer NOT NULL REFERENCES rental.inventory,
  customer_id integer NOT NULL REFERENCES rental.customer,
  return_date timestamptz,
  staff_id integer NOT NULL REFERENCES rental.staff,
  last_update timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rental.payment (
  payment_id serial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES rental.customer,
  staff_id integer NOT NULL REFERENCES rental.staff,
  rental_id integer NOT NULL REFERENCES rental.rental,
  amount rental.money_amount NOT NULL,
  payment_date timestamptz NOT NULL
);
CREATE TABLE rental.staff_login (staff_id integer REFERENCES rental.staff, at timestamptz);

CREATE TRIGGER last_updated BEFORE UPDATE ON rental.customer FOR EACH ROW EXECUTE FUNCTION rental.last_updated();
CREATE TRIGGER last_updated BEFORE UPDATE ON rental.film FOR EACH ROW EXECUTE FUNCTION rental.last_updated();
CREATE TRIGGER last_updated BEFORE UPDATE OR INSERT ON rental.rental FOR EACH ROW EXECUTE FUNCTION rental.last_updated();

ALTER TABLE rental.customer ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_store ON rental.customer USING (store_id = current_setting('rental.store_id')::int);

CREATE VIEW rental.actor_info AS
  SELECT a.actor_id, a.first_name, a.last_name, rental.group_concat(f.title) AS film_info
  FROM rental.actor a
  LEFT JOIN rental.film_actor fa ON fa.actor_id = a.actor_id
  LEFT JOIN rental.film f ON f.film_id = fa.film_id
  GROUP BY a.actor_id, a.first_name, a.last_name;
CREATE VIEW rental.film_list AS
  SELECT f.film_id AS fid, f.title, rental.group_concat(a.first_name || ' ' || a.last_name) AS actors
  FROM rental.film f
  LEFT JOIN rental.film_actor fa ON fa.film_id = f.film_id
  LEFT JOIN rental.actor a ON a.actor_id = fa.actor_id
  GROUP BY f.film_id, f.title;
CREATE VIEW rental.sales_by_store AS
  SELECT i.store_id, sum(p.amount) AS total_sales
  FROM rental.payment p
  JOIN rental.rental r ON r.rental_id = p.rental_id
  JOIN rental.inventory i ON i.inventory_id = r.inventory_id
  GROUP BY i.store_id;

COMMENT ON SCHEMA rental IS 'rentals';
COMMENT ON TABLE rental.rental IS 'rentals';
COMMENT ON TABLE rental.staff_login IS 'to be removed';
RESET search_path;
