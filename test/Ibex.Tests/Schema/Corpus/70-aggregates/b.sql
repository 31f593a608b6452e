-- In the spirit of src/test/regress/sql/create_aggregate.sql: a sample database whose views call its own aggregates.
CREATE TABLE tags (item int, tag text, weight float8);
CREATE FUNCTION concat_step(acc text, v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN acc IS NULL THEN v ELSE acc || ',' || v END $$;
CREATE AGGREGATE group_concat(text) (SFUNC = concat_step, STYPE = text);
COMMENT ON AGGREGATE group_concat(text) IS 'comma-separated values';
CREATE FUNCTION avg_step(state float8[], v float8) RETURNS float8[] LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT ARRAY[state[1] + v, state[2] + 1] $$;
CREATE FUNCTION avg_inverse(state float8[], v float8) RETURNS float8[] LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT ARRAY[state[1] - v, state[2] - 1] $$;
CREATE FUNCTION avg_final(state float8[]) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT CASE WHEN state[2] = 0 THEN NULL ELSE state[1] / state[2] END $$;
CREATE FUNCTION avg_combine(a float8[], b float8[]) RETURNS float8[] LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT ARRAY[a[1] + b[1], a[2] + b[2]] $$;
CREATE AGGREGATE my_avg(float8) (SFUNC = avg_step, STYPE = float8[], FINALFUNC = avg_final, INITCOND = '{0,0}', COMBINEFUNC = avg_combine, PARALLEL = SAFE,
  MSFUNC = avg_step, MINVFUNC = avg_inverse, MSTYPE = float8[], MFINALFUNC = avg_final, MINITCOND = '{0,0}');
CREATE AGGREGATE my_max(int4) (SFUNC = int4larger, STYPE = int4, SORTOP = >);
CREATE AGGREGATE my_count(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0');
CREATE AGGREGATE my_percentile(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
CREATE AGGREGATE my_rank(VARIADIC "any" ORDER BY VARIADIC "any") (SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = rank_final, FINALFUNC_EXTRA, HYPOTHETICAL);
CREATE VIEW item_tags AS SELECT item, group_concat(tag ORDER BY tag) AS tags, my_avg(weight) AS avg_weight, my_count(*) AS n FROM tags GROUP BY item;
CREATE VIEW tag_stats AS SELECT my_max(item) AS top, my_percentile(0.5) WITHIN GROUP (ORDER BY weight) AS median FROM tags;
CREATE VIEW item_ranks AS SELECT item, my_rank(3) WITHIN GROUP (ORDER BY item) AS r FROM tags GROUP BY item;
