#!/usr/bin/env bash
# anchors.sh - side-by-side benchmark of PostgreSQL replication systems on one machine.
#
#   usage: anchors.sh <replicator> [workload ...]
#     replicator : ibex | native | pglogical | bucardo | none | pgdump   (add your own: see README.md)
#     workload   : w1 w2 w3 w4 w1big w5 w5kill (default: w1 w2 w3)
#                  w4    = two-way (multi-master) load, for replicators with <r>_mm_* functions
#                  w1big = W1 with W1BIG_ROWS (5,000,000) rows, for memory bounds
#                  w5    = initial copy of W5_ROWS rows over 5 tables (one holds W5_BIG_PCT %),
#                          for replicators with <r>_multi_* functions
#                  w5kill = w5 with the replicator SIGKILLed once its copy passes W5_KILL_PCT %
#                          and restarted (replicators with <r>_copy_pct and <r>_restart: ibex)
#                  'none' replicates nothing: its W2 is the source-TPS baseline
#                  'pgdump' is pg_dump -Fd -j 2 then pg_restore -j 2 --data-only (W3, W5 only)
#
# Copied from the project's reference harness (shared/bench/anchors.sh): the native,
# pglogical and bucardo blocks and the measurement of W1-W3 are unchanged; added here:
# the ibex, none and pgdump replicators, W4, W1-5M, W5, W5-kill, and per-workload CPU /
# daemon RSS figures.
#
# Starts two fresh PostgreSQL clusters under /tmp (source, target), creates the
# same schema on both, and for every workload configures the replicator for that
# workload's table (setup), waits until the target has caught up, measures, and
# removes the replication again (teardown).  Prints one line per workload:
#
#   RESULT <replicator> <workload> <metric>=<value> ... status=ok|FAIL [reason=...]
#
# Progress goes to stderr; RESULT and '#' comment lines go to stdout.
# Dependencies: bash, coreutils, awk, psql, pgbench, pg_ctl, initdb (+ the replicator).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REP=${1:-}
[ $# -gt 0 ] && shift
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -eq 0 ] && WORKLOADS=(w1 w2 w3)

# ---------------------------------------------------------------- settings
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
SRC_PORT=${SRC_PORT:-54321}
DST_PORT=${DST_PORT:-$((SRC_PORT + 1))}
DB=bench
W1_ROWS=${W1_ROWS:-200000}          # W1: rows in the single bulk transaction
W2_SECS=${W2_SECS:-20}              # W2: pgbench duration
W2_CLIENTS=${W2_CLIENTS:-2}         # W2: pgbench clients (= threads)
W2_PREFILL=${W2_PREFILL:-100000}    # W2: rows present before replication is configured
W3_ROWS=${W3_ROWS:-1000000}         # W3: rows present before replication is configured
READY_TIMEOUT=${READY_TIMEOUT:-60}  # setup -> replicating (W1, W2 incl. prefill copy)
W1_TIMEOUT=${W1_TIMEOUT:-90}        # source commit -> target caught up
W2_TIMEOUT=${W2_TIMEOUT:-150}       # end of load -> target caught up
W3_TIMEOUT=${W3_TIMEOUT:-120}       # setup -> target has all rows
W4_SECS=${W4_SECS:-20}              # W4: pgbench duration of each phase (disjoint keys, shared keys)
W4_CLIENTS=${W4_CLIENTS:-1}         # W4: pgbench clients on EACH node (2 nodes: same total as W2)
W4_PREFILL=${W4_PREFILL:-100000}    # W4: rows present on both nodes before replication is configured
W4_HOT=${W4_HOT:-1000}              # W4 shared phase: both nodes update random rows among ids 1..W4_HOT
W4_TIMEOUT=${W4_TIMEOUT:-150}       # W4: end of a phase's load -> both nodes equal
W1BIG_ROWS=${W1BIG_ROWS:-5000000}   # W1-5M: rows in the single big transaction
W1BIG_TIMEOUT=${W1BIG_TIMEOUT:-600} # W1-5M: source commit -> target caught up
W5_ROWS=${W5_ROWS:-20000000}        # W5: rows over the 5 tables, present before replication is configured
W5_BIG_PCT=${W5_BIG_PCT:-60}        # W5: % of the rows in the first table (the rest split evenly over 4)
W5_TIMEOUT=${W5_TIMEOUT:-1800}      # W5: setup -> target has all rows (also bounds the load)
W5_KILL_PCT=${W5_KILL_PCT:-50}      # W5-kill: the copy progress at which the replicator is SIGKILLed
PGDUMP_JOBS=${PGDUMP_JOBS:-2}       # pgdump: pg_dump -j and pg_restore -j
PGDUMP_ARGS=${PGDUMP_ARGS:-}        # pgdump: extra pg_dump options (default compression stays on, as users run it)
SQL_TIMEOUT=${SQL_TIMEOUT:-120}     # any single psql / CLI call
POLL=${POLL:-0.25}                  # catch-up polling interval (does not affect metrics)
SETUP_GAP=${SETUP_GAP:-6}           # W3: min seconds since the previous setup (see README)
LABEL=${LABEL:-$REP}                # name printed in RESULT lines (for variants)
KEEP=${KEEP:-0}                     # 1 = keep /tmp run directory (logs) even on success
EXTRA_CONF=${EXTRA_CONF:-}          # extra postgresql.conf lines for both clusters

REPLICATORS="native pglogical bucardo ibex none pgdump"   # keep in sync with the rep_* sections below

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ -n "$REP" ] || usage
case " $REPLICATORS " in *" $REP "*) ;; *) echo "unknown replicator '$REP'" >&2; usage ;; esac
for w in "${WORKLOADS[@]}"; do case $w in w1|w2|w3|w4|w1big|w5|w5kill) ;; *) echo "unknown workload '$w'" >&2; usage ;; esac; done
[ "$(id -u)" -eq 0 ] || { echo "run as root (initdb/pg_ctl are run via runuser -u postgres)" >&2; exit 2; }

# ---------------------------------------------------------------- helpers
RUN_DIR=$(mktemp -d "/tmp/anchors.$REP.XXXXXX")
chown postgres: "$RUN_DIR"
STARTED=()            # data directories of clusters we started
ANY_FAIL=0
T_BEGIN=$(date +%s.%N)

log()  { echo "[$(date +%T)] $REP: $*" >&2; }
die()  { log "ERROR: $*"; echo "$*" > "$RUN_DIR/fail_reason"; exit 1; }
now()  { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-3}f\", ($1) }"; }    # calc EXPR [decimals]
pg_as(){ runuser -u postgres -- "$@"; }

# psql against source / target database; -At output, stops on first error, bounded.
psql_port() { local port=$1; shift
  timeout -k 5 "$SQL_TIMEOUT" "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d "${PSQL_DB:-$DB}" "$@"; }
src() { psql_port "$SRC_PORT" "$@"; }
dst() { psql_port "$DST_PORT" "$@"; }
src_dsn() { echo "host=127.0.0.1 port=$SRC_PORT dbname=$DB user=postgres"; }
dst_dsn() { echo "host=127.0.0.1 port=$DST_PORT dbname=$DB user=postgres"; }

# wait_for LIMIT_S DESCRIPTION CMD...: poll CMD until it succeeds; 1 on timeout.
wait_for() { local limit=$1 desc=$2; shift 2; local t0; t0=$(now)
  while :; do
    if "$@" 2>>"$RUN_DIR/poll.err"; then return 0; fi
    if [ "$(calc "$(now) - $t0 > $limit" 0)" = 1 ]; then log "timeout after ${limit}s: $desc"; return 1; fi
    sleep "$POLL"
  done; }

# Row signature without dst_ts: "count/hash".  Target == source  <=>  caught up
# (only meaningful once the source is quiescent).
sig() { "$1" -c "SELECT count(*) || '/' || coalesce(sum(hashtext(concat_ws('|', id, k, payload,
         extract(epoch FROM src_ts)))::bigint), 0) FROM $2"; }
rows_equal() { local a b; a=$(src -c "SELECT count(*) FROM $1") && b=$(dst -c "SELECT count(*) FROM $1") && [ "$a" = "$b" ]; }
in_sync() { local a b; rows_equal "$1" && a=$(sig src "$1") && b=$(sig dst "$1") && [ "$a" = "$b" ]; }

# dst_ts must be set on every target row (trigger fired during apply) and never on the source.
check_dst_ts() { local t=$1 s d
  s=$(src -c "SELECT count(*) FROM $t WHERE dst_ts IS NOT NULL")
  d=$(dst -c "SELECT count(*) FROM $t WHERE dst_ts IS NULL")
  [ "$s" = 0 ] || die "$t: $s source rows have dst_ts set"
  [ "$d" = 0 ] || die "$t: $d target rows have dst_ts NULL (trigger did not fire on apply)"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- clusters
# Settings the reference runs had, but only where this server can take them:
# pglogical is preloaded (as in the reference, for every replicator) when its
# package is installed, and output_plugin_libraries (a Debian 15.19+ setting that
# lists the allowed decoding plugins) only when the server knows it.
optional_conf() {
  if [ -f "$("$PGBIN/pg_config" --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)/pglogical.so" ]; then
    echo "shared_preload_libraries = 'pglogical'"
  fi
  if pg_as "$PGBIN/postgres" --describe-config 2>/dev/null | grep -c "^output_plugin_libraries" >/dev/null; then
    echo "output_plugin_libraries = 'pgoutput, test_decoding, pglogical_output'"
  fi; }

start_cluster() { local name=$1 port=$2 d="$RUN_DIR/$1"
  port_free "$port" || die "port $port already in use (set SRC_PORT/DST_PORT)"
  pg_as mkdir -p "$d"
  pg_as "$PGBIN/initdb" -D "$d/data" -U postgres --auth=trust --no-sync -E UTF8 \
        --locale=C.UTF-8 >"$d/initdb.log" 2>&1 || die "initdb $name failed (see $d/initdb.log)"
  cat >>"$d/data/postgresql.conf" <<EOF
# ---- anchors.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$d'
wal_level = logical
track_commit_timestamp = on
max_replication_slots = 20
max_wal_senders = 20
max_logical_replication_workers = 8
max_worker_processes = 16
fsync = off
full_page_writes = off
$(optional_conf)
$EXTRA_CONF
EOF
  STARTED+=("$d/data")
  pg_as "$PGBIN/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 start >/dev/null \
    || die "pg_ctl start $name failed (see $d/server.log)"
  PSQL_DB=postgres psql_port "$port" -c "CREATE DATABASE $DB"
}

stop_clusters() { local i d
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do d=${STARTED[i]}
    [ -f "$d/postmaster.pid" ] || continue
    pg_as "$PGBIN/pg_ctl" -D "$d" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || pg_as "$PGBIN/pg_ctl" -D "$d" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  done; STARTED=(); }

cleanup() { local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "${REP_INITED:-}" ]; then "${REP}_fini" >/dev/null 2>&1; fi
  stop_clusters
  if [ "$KEEP" = 1 ] || [ "$ANY_FAIL" = 1 ] || [ "$rc" != 0 ]; then
    log "run directory kept: $RUN_DIR"
  else
    rm -rf "$RUN_DIR"
  fi
  exit "$rc"; }
WL_PID=
on_signal() { log "interrupted"; [ -n "$WL_PID" ] && kill -TERM "$WL_PID" 2>/dev/null; exit 130; }
trap cleanup EXIT
trap on_signal INT TERM

# The replicated tables.  Identical on both sides; the target additionally gets
# the dst_ts trigger, enabled ALWAYS so it also fires for replication apply
# (session_replication_role = replica).  The source has no trigger, so dst_ts
# stays NULL there; if a replicator ships that NULL, the target trigger overwrites it.
W5_TABLES=(t_w5_1 t_w5_2 t_w5_3 t_w5_4 t_w5_5)   # W5: t_w5_1 holds W5_BIG_PCT % of the rows
create_schema() { local t
  for side in src dst; do
    for t in t_w1 t_w2 t_w3 t_w1big t_w4 "${W5_TABLES[@]}"; do
      $side -c "CREATE TABLE $t (id bigint PRIMARY KEY, k int, payload text,
                src_ts timestamptz DEFAULT clock_timestamp(), dst_ts timestamptz)"
    done
    $side -c "CREATE SEQUENCE w2_ids START $((W2_PREFILL + 1))"
  done
  dst -c 'CREATE FUNCTION set_dst_ts() RETURNS trigger LANGUAGE plpgsql AS
          $$BEGIN NEW.dst_ts := clock_timestamp(); RETURN NEW; END$$'
  for t in t_w1 t_w2 t_w3 t_w1big "${W5_TABLES[@]}"; do
    dst -c "CREATE TRIGGER ${t}_dst_ts BEFORE INSERT OR UPDATE ON $t
            FOR EACH ROW EXECUTE FUNCTION set_dst_ts()" \
        -c "ALTER TABLE $t ENABLE ALWAYS TRIGGER ${t}_dst_ts"
  done
  # W4 (two writable nodes): both nodes are source and target of t_w4.  The writer
  # sets src_ts (and clears dst_ts) itself; the trigger, on BOTH nodes and enabled
  # ALWAYS, stamps dst_ts only for rows written by a replication apply (which runs
  # with session_replication_role = replica), so on each node "dst_ts IS NOT NULL"
  # marks exactly the rows whose latest version arrived from the other node.
  # Each node inserts new ids from its own range (10M+ on src, 20M+ on dst).
  local side start
  for side in src dst; do
    start=$([ $side = src ] && echo 10000001 || echo 20000001)
    $side -c "CREATE SEQUENCE w4_ids START $start" \
          -c 'CREATE FUNCTION set_dst_ts_if_replica() RETURNS trigger LANGUAGE plpgsql AS
              $$BEGIN
                IF current_setting($q$session_replication_role$q$) = $q$replica$q$ THEN NEW.dst_ts := clock_timestamp(); END IF;
                RETURN NEW;
              END$$' \
          -c "CREATE TRIGGER t_w4_dst_ts BEFORE INSERT OR UPDATE ON t_w4
              FOR EACH ROW EXECUTE FUNCTION set_dst_ts_if_replica()" \
          -c "ALTER TABLE t_w4 ENABLE ALWAYS TRIGGER t_w4_dst_ts"
  done; }

fill() { local t=$1 from=$2 to=$3   # source only; payload = 100 bytes
  src -c "INSERT INTO $t (id, k, payload) SELECT i, (i % 1000)::int, rpad(md5(i::text), 100, md5(i::text))
          FROM generate_series($from, $to) i"; }

# ================================================================ replicators
# Each replicator <r> provides:
#   <r>_init              once, after clusters + schema exist
#   <r>_setup TABLE       start replicating TABLE source->target, copying existing rows
#   <r>_caught_up TABLE   one-shot check, exit 0 when the target has everything the
#                         (quiescent) source has for TABLE and replication is live;
#                         the harness polls it with a timeout (wait-until-caught-up)
#   <r>_teardown TABLE    stop replicating TABLE (best effort, must be bounded)
#   <r>_fini              once, at exit (also from the trap): stop daemons etc.
#   <r>_copy_note         one word describing how the initial copy is done (W3)

# ---- native: CREATE PUBLICATION / CREATE SUBSCRIPTION (pgoutput)
native_init() { :; }
native_setup() { local t=$1
  src -c "CREATE PUBLICATION pub_$t FOR TABLE $t"
  dst -c "CREATE SUBSCRIPTION sub_$t CONNECTION '$(src_dsn)' PUBLICATION pub_$t WITH (copy_data = true)"; }
native_caught_up() { local t=$1 st
  st=$(dst -c "SELECT count(*) FILTER (WHERE sr.srsubstate <> 'r') || ',' || count(*)
               FROM pg_subscription_rel sr JOIN pg_subscription s ON s.oid = sr.srsubid
               WHERE s.subname = 'sub_$t'")
  [ "$st" = "0,1" ] && in_sync "$t"; }
native_teardown() { local t=$1
  dst -c "DROP SUBSCRIPTION IF EXISTS sub_$t"
  src -c "DROP PUBLICATION IF EXISTS pub_$t"; }
native_fini() { :; }
native_copy_note() { echo "create_subscription_copy_data=true"; }
# W5: one publication and one subscription for NAME's tables (the tablesync workers copy
# max_sync_workers_per_subscription = 2 tables at once, the default).
native_multi_setup() { local n=$1; shift
  src -c "CREATE PUBLICATION pub_$n FOR TABLE $(IFS=,; echo "$*")"
  dst -c "CREATE SUBSCRIPTION sub_$n CONNECTION '$(src_dsn)' PUBLICATION pub_$n WITH (copy_data = true)"; }
native_multi_caught_up() { local n=$1 st t; shift
  st=$(dst -c "SELECT count(*) FILTER (WHERE sr.srsubstate <> 'r') || ',' || count(*)
               FROM pg_subscription_rel sr JOIN pg_subscription s ON s.oid = sr.srsubid
               WHERE s.subname = 'sub_$n'")
  [ "$st" = "0,$#" ] || return 1
  for t in "$@"; do in_sync "$t" || return 1; done; }
native_multi_teardown() { native_teardown "$1"; }

# ---- pglogical 2.x: nodes, one replication set per table, one subscription per table
pglogical_init() {
  src -c "CREATE EXTENSION pglogical" -c "SELECT pglogical.create_node(node_name := 'src', dsn := '$(src_dsn)')" >/dev/null
  dst -c "CREATE EXTENSION pglogical" -c "SELECT pglogical.create_node(node_name := 'dst', dsn := '$(dst_dsn)')" >/dev/null; }
pglogical_setup() { local t=$1
  src -c "SELECT pglogical.create_replication_set('rs_$t')" \
      -c "SELECT pglogical.replication_set_add_table('rs_$t', 'public.$t', false)" >/dev/null
  dst -c "SELECT pglogical.create_subscription(subscription_name := 'sub_$t', provider_dsn := '$(src_dsn)',
            replication_sets := ARRAY['rs_$t'], synchronize_structure := false,
            synchronize_data := true, forward_origins := '{}')" >/dev/null; }
pglogical_caught_up() { local t=$1 st
  st=$(dst -c "SELECT (SELECT status FROM pglogical.show_subscription_status('sub_$t')) || ',' ||
                      (SELECT status FROM pglogical.show_subscription_table('sub_$t', 'public.$t'))")
  [ "$st" = "replicating,replicating" ] && in_sync "$t"; }
pglogical_teardown() { local t=$1
  dst -c "SELECT pglogical.drop_subscription('sub_$t', true)" >/dev/null
  src -c "SELECT pglogical.drop_replication_set('rs_$t', true)" >/dev/null; }
pglogical_fini() { :; }
pglogical_copy_note() { echo "create_subscription_synchronize_data=true"; }

# ---- bucardo 5: trigger-based one-way sync src:source -> dst:target.
# Bucardo's own control database ("bucardo") lives in the TARGET cluster.
BDIR="$RUN_DIR/bucardo"
bucardo_cli() { (cd "$BDIR" && timeout -k 5 "$SQL_TIMEOUT" bucardo --bucardorc "$BDIR/bucardorc" "$@") \
                  >>"$BDIR/cli.log" 2>&1; }
bucardo_init() {
  mkdir -p "$BDIR/run" "$BDIR/log"
  (cd "$BDIR" && timeout -k 5 "$SQL_TIMEOUT" bucardo install --batch --dbhost 127.0.0.1 --dbport "$DST_PORT" \
      --dbuser postgres --dbname postgres --pid-dir "$BDIR/run") >"$BDIR/install.log" 2>&1 \
    || die "bucardo install failed (see $BDIR/install.log)"
  cat >"$BDIR/bucardorc" <<EOF
dbhost = 127.0.0.1
dbport = $DST_PORT
dbname = bucardo
dbuser = bucardo
piddir = $BDIR/run
logdest = $BDIR/log
EOF
  bucardo_cli set log_level="${BUCARDO_LOG_LEVEL:-normal}" reason_file="$BDIR/log/restart.reason" warning_file="$BDIR/log/warning.log" \
      log_conflict_file="$BDIR/log/conflict.log" flatfile_dir="$BDIR/log"
  if [ -n "${BUCARDO_SET:-}" ]; then bucardo_cli set $BUCARDO_SET; fi   # e.g. BUCARDO_SET="kid_sleep=0.1"
  bucardo_cli add db src dbname=$DB host=127.0.0.1 port="$SRC_PORT" user=postgres
  bucardo_cli add db dst dbname=$DB host=127.0.0.1 port="$DST_PORT" user=postgres; }
bucardo_setup() { local t=$1
  bucardo_cli add table "public.$t" db=src relgroup="rg_$t"
  bucardo_cli add sync "s_$t" relgroup="rg_$t" dbs=src:source,dst:target onetimecopy=1
  bucardo_cli start --log-destination "$BDIR/log" "anchors $t"; }
bucardo_caught_up() { local t=$1 st
  # MCP running, the sync's first run (the onetimecopy) finished without error, then data equal.
  [ -f "$BDIR/run/bucardo.mcp.pid" ] || return 1
  st=$(PSQL_DB=bucardo dst -c "SELECT (SELECT onetimecopy FROM bucardo.sync WHERE name = 's_$t') || ',' ||
         (SELECT count(*) FROM bucardo.syncrun WHERE sync = 's_$t' AND ended IS NOT NULL AND NOT lastbad) || ',' ||
         (SELECT count(*) FROM bucardo.syncrun WHERE sync = 's_$t' AND lastbad)")
  local otc good bad; IFS=, read -r otc good bad <<<"$st"
  [ "$bad" = 0 ] || { echo "bucardo sync s_$t has $bad bad run(s)" >&2; return 1; }
  [ "$otc" = 0 ] && [ "${good:-0}" -gt 0 ] && in_sync "$t"; }
bucardo_stop() { local f p pids=""
  [ -d "$BDIR/run" ] || return 0
  for f in "$BDIR"/run/*.pid; do [ -f "$f" ] && pids="$pids $(head -n1 "$f")"; done
  bucardo_cli stop "anchors" || true
  wait_for 15 "bucardo processes to exit" bash -c "! ls '$BDIR'/run/*.pid >/dev/null 2>&1" || true
  for p in $pids; do   # only PIDs from our own pid files
    if [[ $p =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null; then
      log "killing leftover bucardo pid $p"; kill "$p" 2>/dev/null || true
    fi
  done; }
bucardo_teardown() { local t=$1
  # keep a record of the sync runs (in the run dir; kept with KEEP=1 or on failure)
  PSQL_DB=bucardo dst -F ' ' -c "SELECT started, ended, ended - started, deletes, inserts, lastgood, lastbad, status
      FROM bucardo.syncrun WHERE sync = 's_$t' ORDER BY started" >"$BDIR/syncrun_$t.txt" 2>&1 || true
  bucardo_stop
  bucardo_cli remove sync "s_$t" || true; }
bucardo_fini() { bucardo_stop; }
bucardo_copy_note() { echo "sync_onetimecopy=1"; }

# ---- pglogical two ways (W4): each node subscribes to the other with forward_origins = '{}'
# (changes that arrived by replication are not sent back), conflicts resolved by
# last_update_wins (the default apply_remote lets the two nodes diverge).
pglogical_mm_setup() { local side
  for side in src dst; do
    $side -c "ALTER SYSTEM SET pglogical.conflict_resolution = 'last_update_wins'" -c "SELECT pg_reload_conf()" >/dev/null
    $side -c "SELECT pglogical.create_replication_set('rs_t_w4')" \
          -c "SELECT pglogical.replication_set_add_table('rs_t_w4', 'public.t_w4', false)" >/dev/null
  done
  dst -c "SELECT pglogical.create_subscription(subscription_name := 'sub_w4_from_src', provider_dsn := '$(src_dsn)',
            replication_sets := ARRAY['rs_t_w4'], synchronize_structure := false,
            synchronize_data := false, forward_origins := '{}')" >/dev/null
  src -c "SELECT pglogical.create_subscription(subscription_name := 'sub_w4_from_dst', provider_dsn := '$(dst_dsn)',
            replication_sets := ARRAY['rs_t_w4'], synchronize_structure := false,
            synchronize_data := false, forward_origins := '{}')" >/dev/null; }
pglogical_mm_caught_up() { local a b
  a=$(dst -c "SELECT status FROM pglogical.show_subscription_status('sub_w4_from_src')")
  b=$(src -c "SELECT status FROM pglogical.show_subscription_status('sub_w4_from_dst')")
  [ "$a,$b" = "replicating,replicating" ] && in_sync t_w4; }
# pglogical reports conflicts only in the server log ("CONFLICT: remote UPDATE on relation ...").
# Note: it counts every remote change to a row whose last version came from another origin
# (the local node included), which is a broader definition than Ibex's (see docs/performance.md).
pglogical_mm_conflicts() { cat "$RUN_DIR/src/server.log" "$RUN_DIR/dst/server.log" 2>/dev/null | grep -c 'CONFLICT: remote' || true; }
pglogical_mm_teardown() { local side
  dst -c "SELECT pglogical.drop_subscription('sub_w4_from_src', true)" >/dev/null
  src -c "SELECT pglogical.drop_subscription('sub_w4_from_dst', true)" >/dev/null
  for side in src dst; do
    $side -c "SELECT pglogical.drop_replication_set('rs_t_w4', true)" >/dev/null
    $side -c "ALTER SYSTEM RESET pglogical.conflict_resolution" -c "SELECT pg_reload_conf()" >/dev/null
  done; }

# ---- ibex: this project.  Its control database ("ibex") lives in the TARGET cluster
# (as Bucardo's does); one daemon (`ibex run`, started once by ibex_init, PID kept for
# its RSS and CPU time) serves the whole run; one sync per workload table.
# The CLI is Ibex.Cli.dll, built by run.sh (IBEX_DLL) or here by build-ibex.sh.
IBEX_DLL=${IBEX_DLL:-}            # path of Ibex.Cli.dll; built into the run dir when empty
IBEX_RUN_ARGS=${IBEX_RUN_ARGS:-}  # extra options for `ibex run` (e.g. --queue-memory-mb 64)
IBEX_PID=
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
ibex_cli() { timeout -k 5 "$SQL_TIMEOUT" dotnet "$IBEX_DLL" "$@" >>"$RUN_DIR/ibex-cli.log" 2>&1; }
ctl() { PSQL_DB=ibex dst "$@"; }   # psql on the control database
ibex_init() {
  if [ -z "$IBEX_DLL" ]; then
    log "building Ibex into the run directory (set IBEX_DLL to skip)"
    "$HERE/build-ibex.sh" "$RUN_DIR/ibex-build" >"$RUN_DIR/ibex-build.log" 2>&1 \
      || die "ibex build failed (see $RUN_DIR/ibex-build.log)"
    IBEX_DLL=$RUN_DIR/ibex-build/cli/Ibex.Cli.dll
  fi
  [ -f "$IBEX_DLL" ] || die "IBEX_DLL=$IBEX_DLL not found"
  export IBEX_CONTROL="host=127.0.0.1 port=$DST_PORT dbname=ibex user=postgres"
  PSQL_DB=postgres dst -c "CREATE DATABASE ibex"
  ibex_cli init || die "ibex init failed (see $RUN_DIR/ibex-cli.log)"
  ibex_cli node add src --dsn "$(src_dsn)" || die "ibex node add src failed (see $RUN_DIR/ibex-cli.log)"
  ibex_cli node add dst --dsn "$(dst_dsn)" || die "ibex node add dst failed (see $RUN_DIR/ibex-cli.log)"
  ibex_start_daemon; }
# The daemon, in the background; SIGTERM stops it cleanly.  Its PID is kept in ibex.pid (a
# daemon restarted by W5-kill runs in the workload's subshell: the main shell reads it there).
ibex_start_daemon() {
  # shellcheck disable=SC2086
  dotnet "$IBEX_DLL" run $IBEX_RUN_ARGS >>"$RUN_DIR/ibex-run.log" 2>&1 &
  IBEX_PID=$!
  echo "$IBEX_PID" >"$RUN_DIR/ibex.pid"
  sleep 1
  kill -0 "$IBEX_PID" 2>/dev/null || die "ibex run exited at once (see $RUN_DIR/ibex-run.log)"; }
ibex_setup() { local t=$1
  ibex_cli sync add "s_$t" --tables "public.$t" --source src --target dst --copy auto \
    || { tail -n 5 "$RUN_DIR/ibex-cli.log" >&2; return 1; }; }
# Live = every link of the sync reported 'streaming' by the daemon within the last 15 s
# (what `ibex status` shows) and no initial copy pending.  Read straight from the
# control tables: polling `ibex status --json` would start a .NET process 4 times a
# second on the same 2 cores that are being measured.
ibex_live() { local sync=$1 st bad n pend
  st=$(ctl -c "SELECT (SELECT count(*) FILTER (WHERE state <> 'streaming' OR updated_at < now() - interval '15 s')
                              || ',' || count(*) FROM ibex.link WHERE sync = '$sync')
                      || ',' || (SELECT count(*) FROM ibex.table_copy WHERE sync = '$sync' AND state NOT IN ('done', 'skipped'))")
  IFS=, read -r bad n pend <<<"$st"
  [ "$bad" = 0 ] && [ "${n:-0}" -gt 0 ] && [ "$pend" = 0 ]; }
ibex_caught_up() { ibex_live "s_$1" && in_sync "$1"; }
ibex_teardown() { ibex_cli sync remove "s_$1"; }
ibex_fini() { local i
  [ -f "$RUN_DIR/ibex.pid" ] && IBEX_PID=$(cat "$RUN_DIR/ibex.pid")
  [ -n "$IBEX_PID" ] || return 0
  kill -TERM "$IBEX_PID" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do kill -0 "$IBEX_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$IBEX_PID" 2>/dev/null; then log "ibex run did not stop within 15 s; killing it"; kill -KILL "$IBEX_PID" 2>/dev/null; fi
  wait "$IBEX_PID" 2>/dev/null || true
  IBEX_PID=; }
ibex_copy_note() { echo "sync_add_copy_auto"; }
# W5: one sync for NAME's tables.
ibex_multi_setup() { local n=$1; shift
  ibex_cli sync add "s_$n" --tables "$(IFS=,; echo "$*")" --source src --target dst --copy auto \
    || { tail -n 5 "$RUN_DIR/ibex-cli.log" >&2; return 1; }; }
ibex_multi_caught_up() { local n=$1 t; shift
  ibex_live "s_$n" || return 1
  for t in "$@"; do in_sync "$t" || return 1; done; }
ibex_multi_teardown() { ibex_cli sync remove "s_$1"; }
# W5-kill: the copy's progress in % (rows copied / rows expected over the sync's tables), the
# figures `ibex status --json` shows, read from the control tables it reads them from.
ibex_copy_pct() { ctl -c "SELECT coalesce(floor(100 * sum(rows_copied)::numeric / nullif(sum(greatest(rows_estimated, 0)), 0)), 0)
                          FROM ibex.table_copy WHERE sync = 's_$1'"; }
ibex_kill() { local p i
  p=$(cat "$RUN_DIR/ibex.pid"); kill -KILL "$p" 2>/dev/null || true
  # gone, or a zombie (the first daemon is the main shell's child, reaped only at its exit)
  for ((i = 0; i < 100; i++)); do [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null || echo Z)" = Z ] && return 0; sleep 0.1; done
  die "ibex daemon $p still alive 10 s after SIGKILL"; }
ibex_restart() { ibex_start_daemon; }
# W4: one multi-master sync, both nodes sources, no copy (both nodes start with the same rows).
ibex_mm_setup() {
  ibex_cli sync add mm_t_w4 --tables public.t_w4 --source src --source dst --copy never --conflict latest \
    || { tail -n 5 "$RUN_DIR/ibex-cli.log" >&2; return 1; }; }
ibex_mm_caught_up() { ibex_live mm_t_w4 && in_sync t_w4; }
ibex_mm_conflicts() { ctl -c "SELECT count(*) FROM ibex.conflict WHERE sync = 'mm_t_w4'"; }
ibex_mm_teardown() { ibex_cli sync remove mm_t_w4; }

# ---- pgdump: not a replicator: the one-shot copy users reach for otherwise.  pg_dump of the
# tables' data in directory format with PGDUMP_JOBS jobs (one synchronized snapshot), then
# pg_restore --data-only with PGDUMP_JOBS jobs into the same pre-created target tables as
# every other system (keys and the dst_ts trigger in place).  setup returns when the restore
# has ended; the dump's files are written under the run directory.
PGDUMP_DIR="$RUN_DIR/pgdump"
pgdump_init() { :; }
pgdump_multi_setup() { local n=$1 t args=(); shift
  for t in "$@"; do args+=(-t "public.$t"); done
  rm -rf "$PGDUMP_DIR"
  # shellcheck disable=SC2086
  timeout -k 5 "$W5_TIMEOUT" "$PGBIN/pg_dump" -h 127.0.0.1 -p "$SRC_PORT" -U postgres -d "$DB" --data-only \
      -Fd -j "$PGDUMP_JOBS" $PGDUMP_ARGS "${args[@]}" -f "$PGDUMP_DIR" 2>>"$RUN_DIR/pgdump.log" \
    || { tail -n 5 "$RUN_DIR/pgdump.log" >&2; return 1; }
  date +%s.%N >"$RUN_DIR/pgdump.dumped"
  timeout -k 5 "$W5_TIMEOUT" "$PGBIN/pg_restore" -h 127.0.0.1 -p "$DST_PORT" -U postgres -d "$DB" --data-only \
      -j "$PGDUMP_JOBS" "$PGDUMP_DIR" 2>>"$RUN_DIR/pgdump.log" \
    || { tail -n 5 "$RUN_DIR/pgdump.log" >&2; return 1; }; }
pgdump_multi_caught_up() { local t; shift; for t in "$@"; do in_sync "$t" || return 1; done; }
pgdump_multi_teardown() { rm -rf "$PGDUMP_DIR"; }
pgdump_setup() { pgdump_multi_setup "$1" "$1"; }
pgdump_caught_up() { in_sync "$1"; }
pgdump_teardown() { pgdump_multi_teardown; }
pgdump_fini() { :; }
pgdump_copy_note() { echo "pg_dump_Fd_j${PGDUMP_JOBS}+pg_restore_data_only_j${PGDUMP_JOBS}"; }

# ---- none: no replication at all.  Only its W2 is meaningful: the source's TPS with
# nothing reading the WAL (wal_level = logical, as for every other replicator).
none_init() { :; }
none_setup() { :; }
none_caught_up() { :; }
none_teardown() { :; }
none_fini() { :; }
none_copy_note() { echo "none"; }

# ---------------------------------------------------------------- CPU and memory per workload
# acct_mark notes the CPU time used so far by each cluster and by the Ibex daemon;
# result() then appends what was used since: src_cpu_s / dst_cpu_s (postmaster, its
# live children, and children that have exited, i.e. backends, walsenders, apply
# workers, pgbench's backends) and, for ibex, daemon_cpu_s and daemon_rss_mb (VmHWM,
# the peak RSS, reset at the start of every workload through /proc/PID/clear_refs).
CLK_TCK=$(getconf CLK_TCK)
proc_ticks() {   # PID [all]: utime+stime of PID, plus cutime+cstime (exited children) with 'all'
  local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  st=${st##*) }   # fields after "(comm)": state=$1 ... utime=$12 stime=$13 cutime=$14 cstime=$15
  awk -v all="${2:-}" '{ print $12 + $13 + (all != "" ? $14 + $15 : 0) }' <<<"$st"; }
cluster_ticks() { local pm c
  pm=$(head -n1 "$RUN_DIR/$1/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  { proc_ticks "$pm" all; for c in $(pgrep -P "$pm"); do proc_ticks "$c"; done; } | awk '{ s += $1 } END { print s + 0 }'; }
daemon_ticks() { if [ -n "${IBEX_PID:-}" ]; then proc_ticks "$IBEX_PID"; else echo 0; fi; }
acct_mark() {   # [window]: 'window' = start of a workload's measured window (also starts PROFILE_CMD)
  echo "$(now) $(cluster_ticks src) $(cluster_ticks dst) $(daemon_ticks)" >"$RUN_DIR/acct"
  if [ "${1:-}" = window ] && [ -n "${PROFILE_CMD:-}" ]; then
    $PROFILE_CMD start "${IBEX_PID:-0}" >>"$RUN_DIR/profile.log" 2>&1 || true; touch "$RUN_DIR/profiling"
  fi; }
# PROFILE_CMD (used by profile.sh): "$PROFILE_CMD start DAEMON_PID" at the start of a measured
# window, "$PROFILE_CMD stop WORKLOAD" when its result is known.
profile_stop() {
  if [ -f "$RUN_DIR/profiling" ]; then rm -f "$RUN_DIR/profiling"; $PROFILE_CMD stop "$1" >>"$RUN_DIR/profile.log" 2>&1 || true; fi; }
acct_reset_peak() { if [ -n "${IBEX_PID:-}" ]; then echo 5 >"/proc/$IBEX_PID/clear_refs" 2>/dev/null || true; fi; }
acct_extra() { local t0 s0 d0 r0
  read -r t0 s0 d0 r0 <"$RUN_DIR/acct" 2>/dev/null || return 0
  echo -n "wall_s=$(calc "$(now) - $t0" 2) src_cpu_s=$(calc "($(cluster_ticks src) - $s0) / $CLK_TCK" 2)" \
          "dst_cpu_s=$(calc "($(cluster_ticks dst) - $d0) / $CLK_TCK" 2)"
  if [ -n "${IBEX_PID:-}" ] && [ -r "/proc/$IBEX_PID/status" ]; then
    echo -n " daemon_cpu_s=$(calc "($(daemon_ticks) - $r0) / $CLK_TCK" 2)" \
            "daemon_rss_mb=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$IBEX_PID/status")" \
            "daemon_rss_end_mb=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$IBEX_PID/status")"
  fi; }

# ================================================================ workloads
result() { local x; x=$(acct_extra); profile_stop "$1"; echo "RESULT $LABEL $* $x"; }
setup() { mark_setup; "${REP}_setup" "$@"; }
mark_setup() { now >"$RUN_DIR/last_setup"; }   # also called when replication went live and after teardown
# Native's logical replication launcher starts at most one apply worker per
# wal_retrieve_retry_interval (5 s); a setup less than 5 s after the previous
# worker launch would be delayed by that throttle.  Launches happen at setup and
# also at teardown (DROP SUBSCRIPTION races with the launcher, which restarts the
# dying worker once).  W3 measures setup time, so it waits until SETUP_GAP seconds
# have passed since the previous setup / went-live / teardown.
setup_gap() { local last el
  [ -f "$RUN_DIR/last_setup" ] || return 0
  last=$(cat "$RUN_DIR/last_setup"); el=$(calc "$(now) - $last")
  if [ "$(calc "$el < $SETUP_GAP" 0)" = 1 ]; then sleep "$(calc "$SETUP_GAP - $el")"; fi; }

wl_w1() { w1_run t_w1 "$W1_ROWS" "$W1_TIMEOUT" w1_bulk; }        # 200,000 rows
wl_w1big() { w1_run t_w1big "$W1BIG_ROWS" "$W1BIG_TIMEOUT" w1_5m; }  # W1-5M: 5,000,000 rows (memory bound)
w1_run() {   # bulk: one transaction of ROWS rows into an (already replicating) empty table
  local t=$1 rows=$2 limit=$3 name=$4 ct last first
  setup $t
  wait_for "$READY_TIMEOUT" "$t replication ready" "${REP}_caught_up" $t || die "timeout_ready_${READY_TIMEOUT}s"
  mark_setup
  log "$name: inserting $rows rows in one transaction"
  acct_mark window
  SQL_TIMEOUT=$((SQL_TIMEOUT > limit ? SQL_TIMEOUT : limit)) fill $t 1 "$rows"
  ct=$(src -c "SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin)) FROM $t LIMIT 1")
  wait_for "$limit" "$t caught up" "${REP}_caught_up" $t || die "timeout_catchup_${limit}s"
  read -r last first < <(dst -F ' ' -c "SELECT extract(epoch FROM max(dst_ts)), extract(epoch FROM min(dst_ts)) FROM $t")
  check_dst_ts $t
  result "$name" "secs=$(calc "$last - $ct")" "rows_per_s=$(calc "$rows / ($last - $ct)" 0)" \
         "first_row_s=$(calc "$first - $ct")" rows="$rows" status=ok
  "${REP}_teardown" $t; mark_setup; }

wl_w2() {   # oltp: pgbench, each txn inserts 1 row and updates 1 random prefilled row
  local t=t_w2 t0 tps txns last_commit first_src n p50 p95 p99 pmax last_dst
  fill $t 1 "$W2_PREFILL"
  setup $t
  wait_for "$READY_TIMEOUT" "$t initial copy + ready" "${REP}_caught_up" $t || die "timeout_ready_${READY_TIMEOUT}s"
  mark_setup
  cat >"$RUN_DIR/w2.sql" <<'EOF'
\set rid random(1, :prefill)
BEGIN;
INSERT INTO t_w2 (id, k, payload) VALUES (nextval('w2_ids'), :rid, rpad(md5(random()::text), 100, 'x'));
UPDATE t_w2 SET k = k + 1, src_ts = clock_timestamp() WHERE id = :rid;
END;
EOF
  log "w2: pgbench ${W2_SECS}s, $W2_CLIENTS clients"
  acct_mark window
  t0=$(now)
  timeout -k 5 $((W2_SECS + 60)) "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$SRC_PORT" -U postgres \
      -c "$W2_CLIENTS" -j "$W2_CLIENTS" -T "$W2_SECS" -D prefill="$W2_PREFILL" -f "$RUN_DIR/w2.sql" $DB \
      >"$RUN_DIR/pgbench.log" 2>&1 || die "pgbench failed (see $RUN_DIR/pgbench.log)"
  tps=$(awk '/^tps = /{print $3; exit}' "$RUN_DIR/pgbench.log")
  txns=$(awk -F': ' '/number of transactions actually processed/{split($2, a, "/"); print a[1]; exit}' "$RUN_DIR/pgbench.log")
  [ -n "$tps" ] && [ -n "$txns" ] || die "could not parse pgbench output"
  if [ "$REP" = none ]; then   # baseline: nothing replicates, only the source's TPS counts
    result w2_oltp "src_tps=$(calc "$tps" 1)" "txns=$txns" status=ok
    return 0
  fi
  local drained=1
  wait_for "$W2_TIMEOUT" "$t drained" "${REP}_caught_up" $t || drained=0
  read -r last_commit first_src < <(src -F ' ' -c "SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin))),
        extract(epoch FROM min(src_ts)) FROM $t WHERE src_ts >= to_timestamp($t0)")
  read -r n p50 p95 p99 pmax last_dst < <(dst -F ' ' -c "
      WITH l AS (SELECT extract(epoch FROM dst_ts - src_ts) * 1000 AS ms, dst_ts FROM $t WHERE src_ts >= to_timestamp($t0))
      SELECT count(*), round(percentile_cont(0.50) WITHIN GROUP (ORDER BY ms)::numeric, 1),
             round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1),
             round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
             round(max(ms)::numeric, 1), extract(epoch FROM max(dst_ts)) FROM l")
  if [ $drained = 0 ]; then   # report what did arrive, then fail (rc 3 = result already printed)
    result w2_oltp "src_tps=$(calc "$tps" 1)" "lag_p50_ms=$p50" "lag_p95_ms=$p95" "lag_p99_ms=$p99" \
           "lag_max_ms=$pmax" "txns=$txns" "lag_rows=$n" "src_rows=$(src -c "SELECT count(*) FROM $t WHERE src_ts >= to_timestamp($t0)")" \
           status=FAIL "reason=timeout_drain_${W2_TIMEOUT}s(lag_over_applied_rows_only)"
    exit 3
  fi
  check_dst_ts $t
  result w2_oltp "src_tps=$(calc "$tps" 1)" "repl_rows_per_s=$(calc "2 * $txns / ($last_dst - $first_src)" 0)" \
         "lag_p50_ms=$p50" "lag_p95_ms=$p95" "lag_p99_ms=$p99" "lag_max_ms=$pmax" \
         "drain_s=$(calc "$last_dst - $last_commit")" "txns=$txns" "lag_rows=$n" status=ok
  "${REP}_teardown" $t; mark_setup; }

wl_w3() {   # initial copy of a W3_ROWS-row table that exists before replication is configured
  local t=t_w3 t0 last first
  log "w3: loading $W3_ROWS rows on the source"
  fill $t 1 "$W3_ROWS"
  src -c "VACUUM ANALYZE $t" -c "CHECKPOINT"
  setup_gap
  acct_mark window
  t0=$(now)
  setup $t
  wait_for "$W3_TIMEOUT" "$t initial copy" "${REP}_caught_up" $t || die "timeout_copy_${W3_TIMEOUT}s"
  read -r last first < <(dst -F ' ' -c "SELECT extract(epoch FROM max(dst_ts)), extract(epoch FROM min(dst_ts)) FROM $t")
  check_dst_ts $t
  result w3_copy "secs=$(calc "$last - $t0")" "copy_s=$(calc "$last - $first")" \
         "rows_per_s=$(calc "$W3_ROWS / ($last - $t0)" 0)" rows="$W3_ROWS" "method=$("${REP}_copy_note")" status=ok
  "${REP}_teardown" $t; mark_setup; }

# W5: initial copy of W5_ROWS rows over 5 tables, t_w5_1 holding W5_BIG_PCT % of them (the
# others an equal share each), all present before replication is configured.  Loaded once per
# run (W5-kill reuses the rows), each table vacuumed and analyzed, then a CHECKPOINT.
# secs: setup -> last row written on the target (max dst_ts over the 5 tables).
w5_load() { local i n from=1 big rest
  [ -f "$RUN_DIR/w5_loaded" ] && return 0
  big=$((W5_ROWS * W5_BIG_PCT / 100)); rest=$(((W5_ROWS - big) / 4))
  log "w5: loading $W5_ROWS rows over 5 tables ($big in t_w5_1)"
  for i in 1 2 3 4 5; do
    n=$([ $i = 1 ] && echo "$big" || echo "$rest")
    SQL_TIMEOUT=$W5_TIMEOUT fill "t_w5_$i" "$from" $((from + n - 1))
    from=$((from + n))
  done
  echo $((from - 1)) >"$RUN_DIR/w5_loaded"
  SQL_TIMEOUT=$W5_TIMEOUT src -c "VACUUM ANALYZE $(IFS=,; echo "${W5_TABLES[*]}")" -c "CHECKPOINT"; }
w5_rows() { cat "$RUN_DIR/w5_loaded"; }
w5_empty_target() { dst -c "TRUNCATE $(IFS=,; echo "${W5_TABLES[*]}")" -c "CHECKPOINT"; }
w5_times() {   # "last first" dst_ts over the 5 tables (epoch)
  dst -F ' ' -c "SELECT extract(epoch FROM max(m)), extract(epoch FROM min(f)) FROM (
      $(for t in "${W5_TABLES[@]}"; do echo "SELECT max(dst_ts) m, min(dst_ts) f FROM $t UNION ALL"; done) SELECT NULL, NULL) x"; }
w5_check() { local t; for t in "${W5_TABLES[@]}"; do check_dst_ts "$t"; done; }
dst_inserted() {   # rows inserted into the W5 tables on the target so far (committed or not)
  dst -c "SELECT pg_stat_force_next_flush()" >/dev/null 2>&1 || true
  dst -c "SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables WHERE relname LIKE 't\_w5\_%'"; }
wl_w5() {
  local t0 last first rows
  if ! declare -F "${REP}_multi_setup" >/dev/null; then result w5_copy status=na "reason=${REP}_has_no_multi_table_setup"; return 0; fi
  w5_load; rows=$(w5_rows); w5_empty_target
  setup_gap
  acct_mark window
  t0=$(now)
  mark_setup; "${REP}_multi_setup" w5 "${W5_TABLES[@]}"
  wait_for "$W5_TIMEOUT" "w5 initial copy" "${REP}_multi_caught_up" w5 "${W5_TABLES[@]}" || die "timeout_copy_${W5_TIMEOUT}s"
  read -r last first < <(w5_times)
  w5_check
  calc "$last - $t0" >"$RUN_DIR/w5_secs"
  result w5_copy "secs=$(calc "$last - $t0")" "copy_s=$(calc "$last - $first")" "rows_per_s=$(calc "$rows / ($last - $t0)" 0)" \
         rows="$rows" tables=5 big_pct="$W5_BIG_PCT" "method=$("${REP}_copy_note")" status=ok
  "${REP}_multi_teardown" w5 "${W5_TABLES[@]}"; mark_setup; }

# W5-kill: W5's copy again into the emptied target tables; once the copy's progress passes
# W5_KILL_PCT %, the replicator is SIGKILLed and started again at once.  secs = setup -> last
# row on the target, the restart included; vs_uninterrupted = secs / W5's secs of this run;
# dst_rows_written = rows inserted on the target (pg_stat_user_tables.n_tup_ins, aborted ones
# included): the rows of the table when a copy resumes, more when ranges are copied again.
wl_w5kill() {
  local t0 tk pct last first rows ins0 ins1 base ticks r_t r_s r_d r_r
  if ! declare -F "${REP}_copy_pct" >/dev/null || ! declare -F "${REP}_restart" >/dev/null; then
    result w5_kill status=na "reason=${REP}_cannot_be_killed_and_restarted_here"; return 0; fi
  w5_load; rows=$(w5_rows); w5_empty_target
  ins0=$(dst_inserted)
  setup_gap
  acct_mark window
  t0=$(now)
  mark_setup; "${REP}_multi_setup" w5 "${W5_TABLES[@]}"
  w5_past() { pct=$("${REP}_copy_pct" w5) && [ "${pct:-0}" -ge "$W5_KILL_PCT" ]; }
  wait_for "$W5_TIMEOUT" "w5 copy past ${W5_KILL_PCT}%" w5_past || die "timeout_progress_${W5_TIMEOUT}s"
  pct=$("${REP}_copy_pct" w5)
  ticks=$(daemon_ticks)   # the killed daemon's CPU counts in daemon_cpu_s, as the new one's
  tk=$(now); "${REP}_kill"
  log "w5kill: killed at ${pct}% after $(calc "$tk - $t0" 1)s; restarting"
  "${REP}_restart"
  read -r r_t r_s r_d r_r <"$RUN_DIR/acct"; echo "$r_t $r_s $r_d $((r_r - ticks))" >"$RUN_DIR/acct"
  wait_for "$W5_TIMEOUT" "w5 copy after the restart" "${REP}_multi_caught_up" w5 "${W5_TABLES[@]}" || die "timeout_copy_${W5_TIMEOUT}s"
  read -r last first < <(w5_times)
  w5_check
  ins1=$(dst_inserted)
  base=$(cat "$RUN_DIR/w5_secs" 2>/dev/null || echo "")
  result w5_kill "secs=$(calc "$last - $t0")" "killed_at_s=$(calc "$tk - $t0")" "killed_at_pct=$pct" \
         ${base:+"vs_uninterrupted=$(calc "($last - $t0) / $base")"} "dst_rows_written=$((ins1 - ins0))" \
         rows="$rows" status=ok
  "${REP}_multi_teardown" w5 "${W5_TABLES[@]}"; mark_setup; }

# W4: two writable nodes (multi-master).  Both nodes start with the same W4_PREFILL rows,
# a two-way replication is set up without copy, then two phases of W4_SECS each run a
# pgbench writer on EACH node with W2's script (insert one new row from the node's own id
# range, update one random existing row, setting src_ts and clearing dst_ts):
#   disjoint: src updates ids 1..W4_PREFILL/2, dst the other half: no row is written on both;
#   shared:   both update ids 1..W4_HOT: concurrent updates of the same rows (conflicts).
# Per direction A->B (ab = src->dst, ba = dst->src), measured on the receiving node B over
# the rows whose latest version arrived by replication (dst_ts set by B's trigger): lag
# percentiles, replicated rows/s (2 x A's transactions / (last arrival on B - first write
# on A)), drain (last arrival on B - A's last commit).  conflicts = what the replicator
# recorded during the phase (its own definition of a conflict).
wl_w4() {
  local t=t_w4
  if ! declare -F "${REP}_mm_setup" >/dev/null; then
    result w4_mm status=na "reason=${REP}_has_no_two_way_setup"; return 0
  fi
  fill $t 1 "$W4_PREFILL"
  src -c "COPY $t TO STDOUT" | dst -c "COPY $t FROM STDIN"   # identical rows, dst_ts NULL, on both nodes
  setup_gap
  mark_setup; "${REP}_mm_setup"
  wait_for "$READY_TIMEOUT" "$t two-way ready" "${REP}_mm_caught_up" || die "timeout_ready_${READY_TIMEOUT}s"
  mark_setup
  w4_phase disjoint
  w4_phase shared
  "${REP}_mm_teardown"; mark_setup; }

w4_phase() { local mode=$1 t=t_w4 side lo hi t0 c0 c1 rc_a=0 rc_b=0 pa pb
  for side in src dst; do
    if [ "$mode" = disjoint ]; then
      if [ $side = src ]; then lo=1; hi=$((W4_PREFILL / 2)); else lo=$((W4_PREFILL / 2 + 1)); hi=$W4_PREFILL; fi
    else lo=1; hi=$W4_HOT; fi
    cat >"$RUN_DIR/w4_$side.sql" <<EOF
\set rid random($lo, $hi)
BEGIN;
INSERT INTO t_w4 (id, k, payload) VALUES (nextval('w4_ids'), :rid, rpad(md5(random()::text), 100, 'x'));
UPDATE t_w4 SET k = k + 1, src_ts = clock_timestamp(), dst_ts = NULL WHERE id = :rid;
END;
EOF
  done
  c0=$("${REP}_mm_conflicts")
  log "w4 $mode: pgbench ${W4_SECS}s on both nodes, $W4_CLIENTS client(s) each"
  acct_mark window
  t0=$(now)
  timeout -k 5 $((W4_SECS + 60)) "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$SRC_PORT" -U postgres \
      -c "$W4_CLIENTS" -j "$W4_CLIENTS" -T "$W4_SECS" -f "$RUN_DIR/w4_src.sql" $DB >"$RUN_DIR/pgbench_w4_src.log" 2>&1 & pa=$!
  timeout -k 5 $((W4_SECS + 60)) "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$DST_PORT" -U postgres \
      -c "$W4_CLIENTS" -j "$W4_CLIENTS" -T "$W4_SECS" -f "$RUN_DIR/w4_dst.sql" $DB >"$RUN_DIR/pgbench_w4_dst.log" 2>&1 & pb=$!
  wait $pa || rc_a=$?
  wait $pb || rc_b=$?
  [ $rc_a = 0 ] && [ $rc_b = 0 ] || die "pgbench failed (see $RUN_DIR/pgbench_w4_*.log)"
  local tps_a tps_b tx_a tx_b
  tps_a=$(awk '/^tps = /{print $3; exit}' "$RUN_DIR/pgbench_w4_src.log")
  tps_b=$(awk '/^tps = /{print $3; exit}' "$RUN_DIR/pgbench_w4_dst.log")
  tx_a=$(awk -F': ' '/number of transactions actually processed/{split($2, a, "/"); print a[1]; exit}' "$RUN_DIR/pgbench_w4_src.log")
  tx_b=$(awk -F': ' '/number of transactions actually processed/{split($2, a, "/"); print a[1]; exit}' "$RUN_DIR/pgbench_w4_dst.log")
  [ -n "$tps_a" ] && [ -n "$tps_b" ] && [ -n "$tx_a" ] && [ -n "$tx_b" ] || die "could not parse pgbench output"
  local drained=1
  wait_for "$W4_TIMEOUT" "$t converged" "${REP}_mm_caught_up" || drained=0
  c1=$("${REP}_mm_conflicts")
  # Each node's own writes of the phase (dst_ts NULL there): last commit, first src_ts.
  local lc_a fs_a lc_b fs_b
  read -r lc_a fs_a < <(src -F ' ' -c "SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin))), extract(epoch FROM min(src_ts))
        FROM $t WHERE dst_ts IS NULL AND src_ts >= to_timestamp($t0)")
  read -r lc_b fs_b < <(dst -F ' ' -c "SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin))), extract(epoch FROM min(src_ts))
        FROM $t WHERE dst_ts IS NULL AND src_ts >= to_timestamp($t0)")
  # Arrivals: rows on the receiving node whose latest version came by replication.
  local q="WITH l AS (SELECT extract(epoch FROM dst_ts - src_ts) * 1000 AS ms, dst_ts FROM $t
                      WHERE dst_ts IS NOT NULL AND src_ts >= to_timestamp($t0))
      SELECT count(*), round(percentile_cont(0.50) WITHIN GROUP (ORDER BY ms)::numeric, 1),
             round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1),
             round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
             round(max(ms)::numeric, 1), extract(epoch FROM max(dst_ts)) FROM l"
  local n_ab p50_ab p95_ab p99_ab max_ab last_ab n_ba p50_ba p95_ba p99_ba max_ba last_ba
  read -r n_ab p50_ab p95_ab p99_ab max_ab last_ab < <(dst -F ' ' -c "$q")
  read -r n_ba p50_ba p95_ba p99_ba max_ba last_ba < <(src -F ' ' -c "$q")
  local common=("a_tps=$(calc "$tps_a" 1)" "b_tps=$(calc "$tps_b" 1)"
      "lag_ab_p50_ms=$p50_ab" "lag_ab_p95_ms=$p95_ab" "lag_ab_p99_ms=$p99_ab" "lag_ab_max_ms=$max_ab"
      "lag_ba_p50_ms=$p50_ba" "lag_ba_p95_ms=$p95_ba" "lag_ba_p99_ms=$p99_ba" "lag_ba_max_ms=$max_ba"
      "conflicts=$((c1 - c0))" "conflicts_per_s=$(calc "($c1 - $c0) / $W4_SECS" 1)"
      "txns_a=$tx_a" "txns_b=$tx_b" "rows_ab=$n_ab" "rows_ba=$n_ba")
  if [ $drained = 0 ]; then   # report what did arrive, then fail (rc 3 = result already printed)
    result "w4_mm_$mode" "${common[@]}" status=FAIL "reason=timeout_converge_${W4_TIMEOUT}s(lag_over_applied_rows_only)"
    exit 3
  fi
  [ "${n_ab:-0}" -gt 0 ] && [ "${n_ba:-0}" -gt 0 ] || die "w4_$mode: no replicated rows in one direction (ab=$n_ab ba=$n_ba)"
  result "w4_mm_$mode" "${common[@]}" \
      "repl_ab_rows_per_s=$(calc "2 * $tx_a / ($last_ab - $fs_a)" 0)" "repl_ba_rows_per_s=$(calc "2 * $tx_b / ($last_ba - $fs_b)" 0)" \
      "drain_ab_s=$(calc "$last_ab - $lc_a")" "drain_ba_s=$(calc "$last_ba - $lc_b")" status=ok; }

declare -A WL_NAME=([w1]=w1_bulk [w2]=w2_oltp [w3]=w3_copy [w4]=w4_mm [w1big]=w1_5m [w5]=w5_copy [w5kill]=w5_kill) \
           WL_TABLE=([w1]=t_w1 [w2]=t_w2 [w3]=t_w3 [w4]=t_w4 [w1big]=t_w1big [w5]=w5 [w5kill]=w5)

run_workload() { local w=$1 rc t1
  if [ -f "$RUN_DIR/ibex.pid" ]; then IBEX_PID=$(cat "$RUN_DIR/ibex.pid"); fi   # restarted by an earlier workload
  rm -f "$RUN_DIR/fail_reason"; t1=$(now)
  acct_reset_peak; acct_mark   # daemon peak RSS and CPU counters start afresh for each workload
  # Own subshell: an error or timeout fails this workload only.  Run in the
  # background and `wait`, so that INT/TERM are handled at once (see on_signal).
  (
    set -eE
    trap 'f=("${FUNCNAME[@]}"); echo "error_in_$(IFS="<"; echo "${f[*]:0:4}")_line_$LINENO" >"$RUN_DIR/fail_reason"' ERR
    "wl_$w" ) &
  WL_PID=$!
  rc=0; wait "$WL_PID" || rc=$?
  WL_PID=
  local td="${REP}_teardown"   # W4 has its own teardown
  [ "$w" = w4 ] && td="${REP}_mm_teardown"
  [ "$w" = w5 ] || [ "$w" = w5kill ] && td="${REP}_multi_teardown"
  declare -F "$td" >/dev/null || td=true
  if [ $rc -eq 3 ]; then ANY_FAIL=1; "$td" "${WL_TABLE[$w]}" >/dev/null 2>&1 || true
  elif [ $rc -ne 0 ]; then
    ANY_FAIL=1
    local reason; reason=$(tr -d '\n' <"$RUN_DIR/fail_reason" 2>/dev/null | tr -s ' ' '_' || true)
    result "${WL_NAME[$w]}" status=FAIL "reason=${reason:-error_rc_$rc}"
    log "${WL_NAME[$w]} failed; tearing down"
    "$td" "${WL_TABLE[$w]}" >/dev/null 2>&1 || true
  fi
  [ $rc -eq 0 ] || mark_setup
  log "${WL_NAME[$w]} done in $(calc "$(now) - $t1" 1)s"; }

# ================================================================ main
log "run dir $RUN_DIR; source :$SRC_PORT, target :$DST_PORT"
echo "# anchors.sh replicator=$REP label=$LABEL date=$(date -u +%FT%TZ) host=$(hostname) nproc=$(nproc)" \
     "pg=$("$PGBIN/postgres" --version | awk '{print $3}') loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" \
     "${BUCARDO_SET:+bucardo_set=$BUCARDO_SET}"
start_cluster src "$SRC_PORT"
start_cluster dst "$DST_PORT"
create_schema
REP_INITED=1
"${REP}_init"
log "clusters up, $REP initialised in $(calc "$(now) - $T_BEGIN" 1)s"
for w in "${WORKLOADS[@]}"; do run_workload "$w"; done
echo "# $LABEL total_s=$(calc "$(now) - $T_BEGIN" 1) failures=$ANY_FAIL loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)"
