CREATE TABLE rect (w int, h int, area int GENERATED ALWAYS AS (w * h) STORED);
CREATE TABLE circle (r numeric, d numeric);
