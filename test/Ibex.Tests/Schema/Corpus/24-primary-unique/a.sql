CREATE TABLE products (sku text, name text, barcode text);
