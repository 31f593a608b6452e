CREATE TABLE items (id int PRIMARY KEY, price numeric);
CREATE FUNCTION add(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT a + b';
CREATE FUNCTION expensive() RETURNS SETOF items LANGUAGE sql STABLE AS $$ SELECT * FROM items WHERE price > 100 $$;
CREATE FUNCTION stats(OUT n bigint, OUT total numeric) LANGUAGE sql AS $$ SELECT count(*), sum(price) FROM items $$;
CREATE FUNCTION table_fn(min numeric) RETURNS TABLE (item_id int, item_price numeric) LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  RETURN QUERY SELECT id, price FROM items WHERE price >= min;
END
$$;
CREATE FUNCTION atomic_double(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT x * 2; END;
CREATE FUNCTION variadic_sum(VARIADIC nums int[]) RETURNS int LANGUAGE sql AS $$ SELECT sum(n)::int FROM unnest(nums) n $$;
CREATE PROCEDURE bump_prices(pct numeric) LANGUAGE plpgsql AS $$ BEGIN UPDATE items SET price = price * (1 + pct / 100); END $$;
