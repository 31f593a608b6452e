CREATE TABLE products (sku text NOT NULL, name text, barcode text);
ALTER TABLE products ADD CONSTRAINT products_pkey PRIMARY KEY (sku);
ALTER TABLE products ADD CONSTRAINT products_barcode_key UNIQUE (barcode) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE products ADD CONSTRAINT products_name_key UNIQUE (name) INCLUDE (barcode);
