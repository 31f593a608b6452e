#!/usr/bin/env bash
# Prints SQL for one side of the schema-diff benchmark: $1 tables in a few schemas, each with a sequence-backed
# key, a handful of columns, an index, a check constraint and (every 10th) a foreign key, a view and a trigger.
# Side "b" differs from side "a" in every 20th table: an added column, a widened type, an extra index, a dropped
# check, a changed view; and its last 10 tables are replaced by 10 others, so both sides have $1 tables.
set -euo pipefail
tables=$1 side=$2
cat <<SQL
CREATE SCHEMA IF NOT EXISTS s0; CREATE SCHEMA IF NOT EXISTS s1; CREATE SCHEMA IF NOT EXISTS s2; CREATE SCHEMA IF NOT EXISTS s3;
CREATE TYPE s0.state AS ENUM ('new', 'active', 'closed'$( [ "$side" = b ] && echo ", 'archived'" ));
CREATE FUNCTION s0.touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.updated := now(); RETURN NEW; END \$\$;
SQL
for ((i = 0; i < tables; i++)); do
  s="s$((i % 4))"
  t="$s.t$i"
  if [ "$side" = b ] && (( i >= tables - 10 )); then continue; fi
  diff=$(( i % 20 == 7 ))
  name_type="varchar(40)"; [ "$side" = b ] && (( diff )) && name_type="varchar(80)"
  extra=""; [ "$side" = b ] && (( diff )) && extra=", note text DEFAULT ''"
  check="CHECK (qty >= 0)"; [ "$side" = b ] && (( diff )) && check=""
  fk=""; (( i % 10 == 5 )) && fk=", parent_id bigint REFERENCES s$(( (i - 5) % 4 )).t$((i - 5))"
  echo "CREATE TABLE $t (id bigserial PRIMARY KEY, name $name_type NOT NULL, state s0.state NOT NULL DEFAULT 'new', qty int NOT NULL DEFAULT 0 $check, price numeric(12,2), created timestamptz NOT NULL DEFAULT now(), updated timestamptz$fk$extra);"
  echo "CREATE INDEX t${i}_name ON $t (name);"
  [ "$side" = b ] && (( diff )) && echo "CREATE INDEX t${i}_state ON $t (state, created) WHERE state <> 'closed';"
  if (( i % 10 == 0 )); then
    where="qty > 0"; [ "$side" = b ] && (( diff )) && where="qty > 1"
    echo "CREATE VIEW $s.v$i AS SELECT id, name, price * qty AS total FROM $t WHERE $where;"
    echo "CREATE TRIGGER t${i}_touch BEFORE UPDATE ON $t FOR EACH ROW EXECUTE FUNCTION s0.touch();"
  fi
  echo "COMMENT ON TABLE $t IS 'table $i';"
done
if [ "$side" = b ]; then
  for ((i = 0; i < 10; i++)); do
    echo "CREATE TABLE s$((i % 4)).new$i (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}', ref bigint REFERENCES s$((i % 4)).t$i);"
    echo "CREATE INDEX new${i}_ref ON s$((i % 4)).new$i (ref);"
  done
fi
