CREATE TABLE rect (w int, h int, area int GENERATED ALWAYS AS (w * h + 0) STORED);
CREATE TABLE circle (r numeric, d numeric GENERATED ALWAYS AS (r * 2) STORED);
