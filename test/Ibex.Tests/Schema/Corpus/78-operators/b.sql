-- In the spirit of src/test/regress/sql/create_operator.sql and create_am.sql: operators with commutators,
-- negators and estimators, a prefix operator, a btree operator class with its family used by an index, and a
-- hash family with loose members.
CREATE FUNCTION abs_lt(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT abs($1) < abs($2)';
CREATE FUNCTION abs_le(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT abs($1) <= abs($2)';
CREATE FUNCTION abs_eq(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT abs($1) = abs($2)';
CREATE FUNCTION abs_ne(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT abs($1) <> abs($2)';
CREATE FUNCTION abs_ge(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT abs($1) >= abs($2)';
CREATE FUNCTION abs_gt(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT abs($1) > abs($2)';
CREATE FUNCTION abs_cmp(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN abs($1) < abs($2) THEN -1 WHEN abs($1) > abs($2) THEN 1 ELSE 0 END';
CREATE FUNCTION abs_hash(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT hashint4(abs($1))';
CREATE OPERATOR <| (LEFTARG = int, RIGHTARG = int, FUNCTION = abs_lt, COMMUTATOR = >|, NEGATOR = >=|, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <=| (LEFTARG = int, RIGHTARG = int, FUNCTION = abs_le, COMMUTATOR = >=|, NEGATOR = >|);
CREATE OPERATOR =| (LEFTARG = int, RIGHTARG = int, FUNCTION = abs_eq, COMMUTATOR = =|, NEGATOR = <>|, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <>| (LEFTARG = int, RIGHTARG = int, FUNCTION = abs_ne, COMMUTATOR = <>|, NEGATOR = =|);
CREATE OPERATOR >=| (LEFTARG = int, RIGHTARG = int, FUNCTION = abs_ge, COMMUTATOR = <=|, NEGATOR = <|);
CREATE OPERATOR >| (LEFTARG = int, RIGHTARG = int, FUNCTION = abs_gt, COMMUTATOR = <|, NEGATOR = <=|);
CREATE FUNCTION negate(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT -$1';
CREATE OPERATOR ~~ (RIGHTARG = int, FUNCTION = negate);
CREATE OPERATOR CLASS abs_int_ops FOR TYPE int USING btree AS
  OPERATOR 1 <|, OPERATOR 2 <=|, OPERATOR 3 =|, OPERATOR 4 >=|, OPERATOR 5 >|, FUNCTION 1 abs_cmp(int, int);
CREATE OPERATOR FAMILY abs_hash_ops USING hash;
ALTER OPERATOR FAMILY abs_hash_ops USING hash ADD OPERATOR 1 =| (int, int), FUNCTION 1 abs_hash(int);
CREATE TABLE numbers (n int);
CREATE INDEX numbers_abs ON numbers (n abs_int_ops);
CREATE VIEW small_numbers AS SELECT n FROM numbers WHERE n <| 10 AND ~~ n > 0;
COMMENT ON OPERATOR =| (int, int) IS 'equal in absolute value';
COMMENT ON OPERATOR CLASS abs_int_ops USING btree IS 'orders by absolute value';
