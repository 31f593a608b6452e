CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer text NOT NULL, total double precision DEFAULT 0, status varchar(20) DEFAULT 'new' CHECK (length(status) > 2), created date DEFAULT current_date, updated timestamptz);
CREATE INDEX orders_customer ON orders (customer) WHERE status <> 'done';
COMMENT ON COLUMN orders.status IS 'new or done';
