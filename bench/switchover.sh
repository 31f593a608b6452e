#!/usr/bin/env bash
# switchover.sh - the major upgrade switchover under pgbench: a one-way sync PostgreSQL 15 -> 18
# caught up, pgbench inserting throughout through a two-host connection string
# (target_session_attrs=read-write, a new connection per transaction, restarted when a client
# aborts on a refused write), and `ibex switchover` half-way.  Prints one RESULT line:
#   RESULT ibex sw_switchover status=ok refused_s=… caught_up_s=… client_gap_s=… rows=… restarts=…
# refused_s: the window Ibex reports (`write_refused_seconds`); client_gap_s: the longest gap
# between two committed inserts as stored (clock_timestamp() of each row, same machine clock),
# i.e. what the client saw, restarts included.  Then the reversed sync (18 -> 15) must catch
# up and `ibex compare` must be clean, else status=FAIL.
#   env: IBEX_DLL (Ibex.Cli.dll, required), SW_SECS [20]: pgbench runs SW_SECS/2 s before the
#   switchover and SW_SECS/2 s after it returns, PG15 [/usr/lib/postgresql/15/bin], PG18 [/var/cache/ibex/postgres/18]
#   (scripts/ensure-postgres-versions.sh), KEEP=1 keeps the run directory.
set -euo pipefail
PG15=${PG15:-/usr/lib/postgresql/15/bin}
PG18=${PG18:-/var/cache/ibex/postgres/18}
SW_SECS=${SW_SECS:-20}
[ -f "${IBEX_DLL:-}" ] || { echo "switchover.sh: set IBEX_DLL to an Ibex.Cli.dll" >&2; exit 2; }
[ -x "$PG18/bin/postgres" ] || { echo "switchover.sh: no PostgreSQL 18 in $PG18 (run scripts/ensure-postgres-versions.sh)" >&2; exit 2; }
DIR=$(mktemp -d /tmp/ibex-sw.XXXXXX)
chmod 755 "$DIR"; chown postgres "$DIR"
P15=$((20000 + RANDOM % 20000)); P18=$((P15 + 1))
IBEX_PID= LOOPS=()
log() { echo "[$(date +%T)] switchover.sh: $*" >&2; }
as_pg() { runuser -u postgres -- env LD_LIBRARY_PATH="${LIB:-}" "$@"; }
ctl15() { LIB= as_pg "$PG15/pg_ctl" -D "$DIR/pg15" -l "$DIR/pg15.log" -w -t 60 "$@" >/dev/null; }
ctl18() { LIB=$PG18/lib as_pg "$PG18/bin/pg_ctl" -D "$DIR/pg18" -l "$DIR/pg18.log" -w -t 60 "$@" >/dev/null; }
sql() { local port=$1; shift; "$PG15/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
ibex() { dotnet "$IBEX_DLL" "$@"; }
cleanup() { local rc=$? p
  trap - EXIT
  for p in "${LOOPS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$IBEX_PID" ] && { kill -TERM "$IBEX_PID" 2>/dev/null; wait "$IBEX_PID" 2>/dev/null || true; }
  [ -f "$DIR/pg15/postmaster.pid" ] && ctl15 -m fast stop || true
  [ -f "$DIR/pg18/postmaster.pid" ] && ctl18 -m fast stop || true
  if [ "${KEEP:-0}" = 1 ] || [ $rc != 0 ]; then log "run directory kept: $DIR"; else rm -rf "$DIR"; fi
  exit $rc; }
trap cleanup EXIT
fail() { echo "RESULT ibex sw_switchover status=FAIL reason=$1"; exit 1; }

for v in 15 18; do
  if [ $v = 15 ]; then bin=$PG15; LIB=; else bin=$PG18/bin; LIB=$PG18/lib; fi
  as_pg "$bin/initdb" -D "$DIR/pg$v" -U postgres -A trust -E UTF8 >/dev/null
  port=$([ $v = 15 ] && echo $P15 || echo $P18)
  printf '%s\n' "port = $port" "listen_addresses = '127.0.0.1'" "unix_socket_directories = '$DIR'" \
    "wal_level = logical" "max_replication_slots = 10" "max_wal_senders = 10" >>"$DIR/pg$v/postgresql.conf"
done
ctl15 start; ctl18 start
TABLE="CREATE TABLE sw (id bigserial PRIMARY KEY, k int, payload text, ts timestamptz DEFAULT clock_timestamp())"
for p in $P15 $P18; do sql $p -d postgres -c "CREATE DATABASE bench"; sql $p -d bench -c "$TABLE"; done
sql $P18 -d postgres -c "CREATE DATABASE ibex"
export IBEX_CONTROL="host=127.0.0.1 port=$P18 dbname=ibex user=postgres"
{ ibex init && ibex node add old --dsn "host=127.0.0.1 port=$P15 dbname=bench user=postgres" \
  && ibex node add new --dsn "host=127.0.0.1 port=$P18 dbname=bench user=postgres" \
  && ibex sync add up --tables public.sw --source old --target new; } >"$DIR/ibex-cli.log" 2>&1 || fail setup
# dotnet itself in the background (not the ibex function, whose subshell a TERM would end while the daemon lived on)
dotnet "$IBEX_DLL" run >"$DIR/ibex-run.log" 2>&1 &
IBEX_PID=$!
ibex wait up --timeout 120 >>"$DIR/ibex-cli.log" 2>&1 || fail first_wait

# The writers: pgbench 15, one client each, a new connection per transaction to whichever host takes writes.
printf '%s\n' '\set k random(1, 100000)' "INSERT INTO sw (k, payload) VALUES (:k, repeat('x', 100));" >"$DIR/insert.sql"
DSN="host=127.0.0.1,127.0.0.1 port=$P15,$P18 dbname=bench user=postgres target_session_attrs=read-write"
# Each runs pgbench for a second at a time until told to stop, so the switchover, however long it takes to start,
# falls inside the writes; a pgbench whose client aborted (a refused write or no writable host) counts a restart.
writer() { local n=0
  while [ ! -e "$DIR/stop" ]; do
    "$PG15/pgbench" -n -C -c 1 -T 1 -f "$DIR/insert.sql" "$DSN" >>"$DIR/pgbench.$1.log" 2>&1 || n=$((n + 1))
  done
  echo $n >"$DIR/restarts.$1"; }
writer 1 & LOOPS+=($!)
writer 2 & LOOPS+=($!)
sleep $((SW_SECS / 2))
before=$(sql $P15 -d bench -c "SELECT count(*) FROM sw")
ibex switchover up --to new --json >"$DIR/switchover.json" 2>>"$DIR/ibex-cli.log" || fail switchover
sleep $((SW_SECS / 2))
touch "$DIR/stop"
for p in "${LOOPS[@]}"; do wait "$p" || true; done
LOOPS=()
after=$(sql $P18 -d bench -c "SELECT count(*) FROM sw")
[ "$after" -gt "$before" ] || fail no_writes_after_switchover
ibex wait up --timeout 120 >>"$DIR/ibex-cli.log" 2>&1 || fail reverse_wait
ibex compare up >>"$DIR/ibex-cli.log" 2>&1 || fail compare
refused=$(sed -n 's/.*"write_refused_seconds": *\([0-9.]*\).*/\1/p' "$DIR/switchover.json" | head -n1)
caught=$(sed -n 's/.*"caught_up_seconds": *\([0-9.]*\).*/\1/p' "$DIR/switchover.json" | head -n1)
read -r gap rows < <(sql $P18 -d bench -F ' ' -c "SELECT round(extract(epoch FROM max(gap))::numeric, 3), count(*) FROM (SELECT ts - lag(ts) OVER (ORDER BY ts) AS gap FROM sw) x")
errors=$(( $(cat "$DIR/restarts.1") + $(cat "$DIR/restarts.2") ))
echo "RESULT ibex sw_switchover status=ok refused_s=${refused:-NA} caught_up_s=${caught:-NA} client_gap_s=$gap rows=$rows rows_before=$before restarts=$errors secs=$SW_SECS"
