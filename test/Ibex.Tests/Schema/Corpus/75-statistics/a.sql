CREATE TABLE addresses (zip text, city text, country text);
CREATE STATISTICS addr_dep (dependencies) ON zip, city FROM addresses;
