CREATE TABLE customers (id int PRIMARY KEY, name text, email text NOT NULL DEFAULT '', created_at timestamptz DEFAULT now(), uid uuid DEFAULT gen_random_uuid());
