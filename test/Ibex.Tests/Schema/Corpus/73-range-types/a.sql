CREATE TYPE float_range AS RANGE (SUBTYPE = float8);
