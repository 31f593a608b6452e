#!/usr/bin/env bash
# Schema-diff benchmark: two databases with 500 tables each (and indexes, sequences, views, triggers, comments)
# that differ in a few dozen places; times `ibex schema diff` (Release build, whole process: start-up, two
# catalog reads, planning, printing), then applies the script and checks a second diff prints nothing.
#
#   bench/schema-diff/run.sh [tables=500] [runs=5]
#
# Needs PostgreSQL server binaries (initdb, pg_ctl, psql; PG_BIN or /usr/lib/postgresql/*/bin) and the .NET SDK.
# Starts a throwaway cluster on a free port and removes it on exit.
set -euo pipefail
tables=${1:-500}
runs=${2:-5}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$bin/initdb" ] || { echo "run.sh: PostgreSQL binaries not found; set PG_BIN" >&2; exit 1; }

work=$(mktemp -d /tmp/ibex-bench-schema-XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as=(runuser -u postgres --); fi
cleanup() { "${as[@]}" "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as[@]}" "$bin/initdb" -D "$work/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\nmax_locks_per_transaction = 256\n" "$port" "$work" >> "$work/data/postgresql.conf"
"${as[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
"${psql[@]}" -d postgres -c "CREATE DATABASE bench_a" -c "CREATE DATABASE bench_b"
bash "$here/gen.sh" "$tables" a > "$work/a.sql"
bash "$here/gen.sh" "$tables" b > "$work/b.sql"
"${psql[@]}" -d bench_a -f "$work/a.sql"
"${psql[@]}" -d bench_b -f "$work/b.sql"
count() { "${psql[@]}" -d "$1" -Atc "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 's_' AND c.relkind = '$2'"; }
echo "bench_a: $(count bench_a r) tables, $(count bench_a i) indexes, $(count bench_a S) sequences, $(count bench_a v) views"
echo "bench_b: $(count bench_b r) tables, $(count bench_b i) indexes, $(count bench_b S) sequences, $(count bench_b v) views"

echo "building ibex (Release)..."
dotnet build "$root/src/Ibex.Cli/Ibex.Cli.csproj" -c Release -o "$work/cli" --nologo -v quiet -clp:ErrorsOnly >/dev/null
from="host=127.0.0.1 port=$port dbname=bench_b user=postgres"
to="host=127.0.0.1 port=$port dbname=bench_a user=postgres"
times=()
for ((r = 1; r <= runs; r++)); do
  start=$(date +%s.%N)
  dotnet "$work/cli/Ibex.Cli.dll" schema diff --from "$from" --to "$to" --allow-hazards > "$work/diff.sql" 2>"$work/diff.err"
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "ibex schema diff, $(count bench_b r) vs $(count bench_a r) tables, $runs runs (seconds, whole process): $(echo $sorted | tr '\n' ' ')"
echo "  median: $(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p") s"
echo "  script: $(grep -c ';$' "$work/diff.sql") statements, $(grep -c '^-- hazard' "$work/diff.sql") hazard comments"
"${psql[@]}" -d bench_a -f "$work/diff.sql"
dotnet "$work/cli/Ibex.Cli.dll" schema diff --from "$from" --to "$to" --exit-code > "$work/again.sql" \
  && echo "  applied: a second diff prints nothing" \
  || { echo "  applied, but a second diff still differs:"; head -20 "$work/again.sql"; exit 1; }
