#!/usr/bin/env bash
# run.sh - side-by-side replication benchmark: Ibex against PostgreSQL native logical
# replication (and pglogical and Bucardo when their Debian packages are installed), in
# the same run, on the same machine, with the same harness (bench/anchors.sh).
#
#   usage: bench/run.sh [--quick] [--rounds N] [--only W1,W2,W3,W4,W5,W1-5M,SW] [--systems ibex,native,pgdump,pglogical,bucardo]
#
#   --quick     small sizes (W1 5,000 rows, W2 3 s, W3 20,000 rows, W4 3 s per phase, W5
#               200,000 rows), one round, no W1-5M: a smoke check.  Exits non-zero only when a
#               workload fails outright (data mismatch, timeout, error), never because of a figure.
#   --rounds N  rounds (default 3; 1 with --quick); systems are interleaved within a round.
#   --only      workloads to run (default: all).  W1-5M (one 5,000,000-row transaction)
#               runs for Ibex only, and not with --quick.  SW (Ibex only): the switchover
#               15 -> 18 under pgbench, bench/switchover.sh (20 s of writes; 6 s with --quick).
#               W5: initial copy of 20,000,000 rows over 5 tables (one with 60 %); for Ibex
#               also W5-kill (the daemon SIGKILLed at 50 % of that copy and restarted).
#   --systems   replicators (default: ibex,native,pgdump + pglogical,bucardo when installed;
#               W5 has Ibex, native and pgdump only).
#               pgdump (pg_dump -Fd -j 2, then pg_restore -j 2) takes part in W3 and W5 only.
#               A "no replication" W2 baseline (source TPS only) runs whenever W2 does.
#
# Each (round, system) is one bench/anchors.sh run with its own throwaway clusters
# under /tmp.  Before each, the script waits (up to QUIET_WAIT s) for the CPU to be
# quiet and records CPU busy % and load average.  Output: one table on stdout, and
# bench/results/YYYY-MM-DD.md (or YYYY-MM-DD-quick.md) with the table, the raw RESULT
# lines and the machine.  Progress on stderr; per-run logs under $LOGDIR.
#
# Environment: QUIET_BUSY [25] / QUIET_WAIT [60] (see above), RUN_LIMIT [1500 s per
# anchors.sh run; 5400 s for a full-size W5], LOGDIR [/tmp/ibex-bench-logs.XXXXXX], IBEX_DLL (use this Ibex.Cli.dll
# instead of building), IBEX_BUILD_FROM [head|worktree] (see build-ibex.sh), KEEP=1
# (keep run directories), RESULTS_FILE (write the results here instead).  Sizes can be
# overridden with anchors.sh's variables (W1_ROWS, W2_SECS, ...).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

# ---------------------------------------------------------------- options
QUICK=0 ROUNDS= ONLY="W1,W2,W3,W4,W5,W1-5M,SW" SYSTEMS=
usage() { sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --rounds=*) ROUNDS=${1#*=} ;;
    --only) ONLY=${2:?}; shift ;;
    --only=*) ONLY=${1#*=} ;;
    --systems) SYSTEMS=${2:?}; shift ;;
    --systems=*) SYSTEMS=${1#*=} ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root (the clusters are run through runuser -u postgres)" >&2; exit 2; }
[[ -z $ROUNDS || $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --rounds needs a positive number" >&2; exit 2; }
ROUNDS=${ROUNDS:-$([ $QUICK = 1 ] && echo 1 || echo 3)}

installed() { dpkg -s "$1" >/dev/null 2>&1; }
if [ -z "$SYSTEMS" ]; then
  SYSTEMS=ibex,native,pgdump
  installed postgresql-15-pglogical && SYSTEMS+=,pglogical
  installed bucardo && SYSTEMS+=,bucardo
fi
IFS=, read -r -a SYS <<<"$SYSTEMS"
for s in "${SYS[@]}"; do
  case $s in
    ibex|native) ;;
    pgdump) [ -x "$PGBIN/pg_dump" ] && [ -x "$PGBIN/pg_restore" ] || { echo "run.sh: pgdump asked for, but $PGBIN/pg_dump or pg_restore is missing" >&2; exit 2; } ;;
    pglogical) installed postgresql-15-pglogical || { echo "run.sh: pglogical asked for, but postgresql-15-pglogical is not installed" >&2; exit 2; } ;;
    bucardo) installed bucardo || { echo "run.sh: bucardo asked for, but the bucardo package is not installed" >&2; exit 2; } ;;
    *) echo "run.sh: unknown system '$s' (ibex, native, pgdump, pglogical, bucardo)" >&2; exit 2 ;;
  esac
done

# Workloads: W1..W4 map to anchors.sh's w1..w4; W1-5M to w1big (Ibex only, full runs only).
declare -A WANT=()
IFS=, read -r -a wl <<<"${ONLY^^}"
for w in "${wl[@]}"; do
  case $w in W1|W2|W3|W4|W5|W1-5M|SW) WANT[$w]=1 ;; *) echo "run.sh: unknown workload '$w' (W1, W2, W3, W4, W5, W1-5M, SW)" >&2; exit 2 ;; esac
done
if [ $QUICK = 1 ]; then
  unset 'WANT[W1-5M]'
  export W1_ROWS=${W1_ROWS:-5000} W2_SECS=${W2_SECS:-3} W2_PREFILL=${W2_PREFILL:-5000} \
         W3_ROWS=${W3_ROWS:-20000} W4_SECS=${W4_SECS:-3} W4_PREFILL=${W4_PREFILL:-5000} \
         W5_ROWS=${W5_ROWS:-200000} SETUP_GAP=${SETUP_GAP:-0} SW_SECS=${SW_SECS:-6}   # SETUP_GAP: no throttle gap before W3/W4 (quick figures are not compared)
fi
workloads_for() {   # anchors.sh workload list for one system
  local s=$1 out=()
  [ -n "${WANT[W1]:-}" ] && out+=(w1)
  [ -n "${WANT[W2]:-}" ] && out+=(w2)
  [ -n "${WANT[W3]:-}" ] && out+=(w3)
  # W4 needs a two-way set-up: Ibex and pglogical have one; native logical replication in
  # PostgreSQL 15 cannot replicate both ways without loops (no origin filter before 16),
  # and Bucardo's multi-source mode is not set up in this harness.
  [ -n "${WANT[W4]:-}" ] && case $s in ibex|pglogical) out+=(w4) ;; esac
  [ -n "${WANT[W1-5M]:-}" ] && [ "$s" = ibex ] && out+=(w1big)
  # W5 for every system; W5-kill where the harness can kill and restart it (Ibex), after W5 (same rows).
  # (pglogical and Bucardo: no multi-table set-up for it in anchors.sh yet.)
  [ -n "${WANT[W5]:-}" ] && case $s in ibex) out+=(w5 w5kill) ;; native) out+=(w5) ;; esac
  case $s in
    none) out=(); [ -n "${WANT[W2]:-}" ] && out=(w2) ;;
    pgdump) out=(); [ -n "${WANT[W3]:-}" ] && out+=(w3); [ -n "${WANT[W5]:-}" ] && out+=(w5) ;;   # a one-shot copy only
  esac
  echo "${out[*]}"; }

# A full-size W5 loads 20M rows and copies them twice (W5, W5-kill) in one anchors.sh run.
RUN_LIMIT=${RUN_LIMIT:-$([ $QUICK = 0 ] && [ -n "${WANT[W5]:-}" ] && echo 5400 || echo 1500)}
QUIET_BUSY=${QUIET_BUSY:-25}
QUIET_WAIT=${QUIET_WAIT:-60}
[ $QUICK = 1 ] && QUIET_WAIT=${QUIET_WAIT_QUICK:-5}   # a smoke check does not wait for a quiet machine
WORK=$(mktemp -d /tmp/ibex-bench.XXXXXX)              # build, raw results; removed at exit
LOGDIR=${LOGDIR:-$WORK/logs}
mkdir -p "$LOGDIR"
RAW=$WORK/raw.txt
log() { echo "[$(date +%T)] run.sh: $*" >&2; }

# ---------------------------------------------------------------- clean-up
CHILD=   # the anchors.sh run in progress
cleanup() { local rc=$?
  trap - EXIT INT TERM
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -TERM "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null || true   # anchors.sh stops its own clusters and daemons
  fi
  if [ "${KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then log "logs kept in $LOGDIR"; fi
  if [ "${KEEP:-0}" != 1 ] && [ "$rc" = 0 ]; then rm -rf "$WORK"; else rm -rf "$WORK/ibex"; fi
  exit "$rc"; }
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

# ---------------------------------------------------------------- prerequisites
"$REPO/scripts/ensure-postgres.sh"
for b in initdb pg_ctl psql pgbench postgres; do
  [ -x "$PGBIN/$b" ] || { echo "run.sh: $PGBIN/$b not found (set PGBIN)" >&2; exit 2; }
done
if [[ ,$SYSTEMS, == *,ibex,* ]] && [ -z "${IBEX_DLL:-}" ]; then
  log "building Ibex (Release) ..."
  t0=$SECONDS
  IBEX_DLL=$("$HERE/build-ibex.sh" "$WORK/ibex" 2>"$LOGDIR/build.log") \
    || { cat "$LOGDIR/build.log" >&2; echo "run.sh: building Ibex failed" >&2; exit 1; }
  log "built in $((SECONDS - t0)) s: $IBEX_DLL"
fi
export IBEX_DLL=${IBEX_DLL:-}

# ---------------------------------------------------------------- quiet CPU (from run_all.sh)
cpu_busy() {   # % of non-idle CPU time (all cores) over 2 seconds
  local c a b c1 d e f g h a2 b2 c2 d2 e2 f2 g2 h2 tot idle
  read -r c a b c1 d e f g h _ </proc/stat; sleep 2
  read -r c a2 b2 c2 d2 e2 f2 g2 h2 _ </proc/stat
  tot=$(( (a2 + b2 + c2 + d2 + e2 + f2 + g2 + h2) - (a + b + c1 + d + e + f + g + h) ))
  idle=$(( (d2 + e2) - (d + e) ))
  echo $(( tot > 0 ? 100 * (tot - idle) / tot : 0 )); }
wait_quiet() { local t0=$SECONDS busy
  while :; do busy=$(cpu_busy)
    if [ "$busy" -lt "$QUIET_BUSY" ] || [ $((SECONDS - t0)) -ge "$QUIET_WAIT" ]; then echo "$busy"; return; fi
  done; }

# ---------------------------------------------------------------- header (machine, versions)
commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')
dirty=$(git -C "$REPO" status --porcelain -- src 2>/dev/null | wc -l)
{
  echo "# run.sh $(date -u +%FT%TZ) quick=$QUICK rounds=$ROUNDS systems=$SYSTEMS only=$ONLY"
  echo "# ibex commit $commit (build from ${IBEX_BUILD_FROM:-head}; $dirty uncommitted file(s) under src/ at the time)"
  echo "# $("$PGBIN/postgres" --version); pglogical $(dpkg-query -W -f='${Version}' postgresql-15-pglogical 2>/dev/null || echo '-');" \
       "bucardo $(dpkg-query -W -f='${Version}' bucardo 2>/dev/null || echo '-'); .NET $(dotnet --version 2>/dev/null || echo '?')" \
       "(runtime $(dotnet --list-runtimes 2>/dev/null | awk '/NETCore.App/ {v = $2} END {print v}'))"
  echo "# $(uname -srm); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); nproc=$(nproc);" \
       "mem $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "# settings: W1_ROWS=${W1_ROWS:-200000} W2_SECS=${W2_SECS:-20} W2_CLIENTS=${W2_CLIENTS:-2}" \
       "W2_PREFILL=${W2_PREFILL:-100000} W3_ROWS=${W3_ROWS:-1000000} W4_SECS=${W4_SECS:-20}" \
       "W4_CLIENTS=${W4_CLIENTS:-1} W4_PREFILL=${W4_PREFILL:-100000} W4_HOT=${W4_HOT:-1000} W1BIG_ROWS=${W1BIG_ROWS:-5000000}" \
       "W5_ROWS=${W5_ROWS:-20000000} W5_BIG_PCT=${W5_BIG_PCT:-60} W5_KILL_PCT=${W5_KILL_PCT:-50} PGDUMP_JOBS=${PGDUMP_JOBS:-2} IBEX_RUN_ARGS=${IBEX_RUN_ARGS:-}"
} >"$RAW"
cat "$RAW" >&2

# ---------------------------------------------------------------- the runs
RUN_ORDER=("${SYS[@]}")
[ -n "${WANT[W2]:-}" ] && RUN_ORDER+=(none)   # W2 baseline: no replication at all
FAILED=0
for ((r = 1; r <= ROUNDS; r++)); do
  for s in "${RUN_ORDER[@]}"; do
    wls=$(workloads_for "$s")
    [ -n "$wls" ] || continue
    busy=$(wait_quiet)
    lf="$LOGDIR/$s.r$r.log"
    echo "# round $r/$ROUNDS $s: cpu_busy_before=${busy}% loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,) workloads=${wls// /,}" | tee -a "$RAW" >&2
    log "round $r/$ROUNDS: $s ($wls); log $lf"
    rc=0
    # shellcheck disable=SC2086
    timeout -s TERM -k 90 "$RUN_LIMIT" "$HERE/anchors.sh" "$s" $wls 2>"$lf" >"$WORK/out" &
    CHILD=$!
    wait "$CHILD" || rc=$?
    CHILD=
    grep -v '^$' "$WORK/out" | tee -a "$RAW" | grep '^RESULT' >&2 || true
    echo "# loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" >>"$RAW"
    if [ $rc -ne 0 ]; then
      FAILED=1
      if ! grep -q 'status=FAIL' "$WORK/out"; then
        echo "RESULT $s run status=FAIL reason=anchors_rc_$rc" | tee -a "$RAW" >&2
      fi
      log "$s failed (rc $rc); last lines of $lf:"; tail -n 15 "$lf" >&2
      # last resort if anchors.sh could not clean up (killed): stop its clusters
      dir=$(sed -n 's/.*run dir \(\/tmp\/anchors\.[^;]*\);.*/\1/p' "$lf" | head -n1)
      for d in "$dir/dst/data" "$dir/src/data"; do
        if [ -n "$dir" ] && [ -f "$d/postmaster.pid" ]; then
          runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
        fi
      done
      if [ -n "$dir" ] && [ -f "$dir/ibex.pid" ]; then   # and its Ibex daemon (only that PID)
        p=$(cat "$dir/ibex.pid"); kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
      fi
    fi
    if grep -q 'status=FAIL' "$WORK/out"; then FAILED=1; fi
  done
  # SW: the switchover 15 -> 18 under pgbench (Ibex only; PostgreSQL 18 from scripts/ensure-postgres-versions.sh).
  if [ -n "${WANT[SW]:-}" ] && [[ ,$SYSTEMS, == *,ibex,* ]]; then
    busy=$(wait_quiet)
    lf="$LOGDIR/switchover.r$r.log"
    echo "# round $r/$ROUNDS ibex: cpu_busy_before=${busy}% loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,) workloads=sw" | tee -a "$RAW" >&2
    log "round $r/$ROUNDS: ibex (switchover 15 -> 18 under pgbench); log $lf"
    rc=0
    "$REPO/scripts/ensure-postgres-versions.sh" >>"$lf" 2>&1 || rc=$?
    [ $rc = 0 ] && { timeout -s TERM -k 30 "$RUN_LIMIT" "$HERE/switchover.sh" 2>>"$lf" >"$WORK/out" || rc=$?; }
    grep '^RESULT' "$WORK/out" | tee -a "$RAW" >&2 || true
    if [ $rc -ne 0 ]; then
      FAILED=1
      grep -q 'status=FAIL' "$WORK/out" || echo "RESULT ibex sw_switchover status=FAIL reason=rc_$rc" | tee -a "$RAW" >&2
      log "switchover failed (rc $rc); last lines of $lf:"; tail -n 15 "$lf" >&2
    fi
  fi
done
echo "# run.sh finished $(date -u +%FT%TZ) failures=$FAILED" >>"$RAW"

# ---------------------------------------------------------------- table and results file
TABLE=$("$HERE/table.sh" "$RAW")
echo "$TABLE"
mkdir -p "$HERE/results"
if [ -n "${RESULTS_FILE:-}" ]; then out=$RESULTS_FILE
else
  base="$HERE/results/$(date -u +%F)$([ $QUICK = 1 ] && echo -quick || true)"
  out="$base.md"; n=2
  if [ $QUICK = 0 ]; then while [ -e "$out" ]; do out="$base-$n.md"; n=$((n + 1)); done; fi
fi
{
  echo "# Replication benchmark $(date -u +%F)$([ $QUICK = 1 ] && echo ' (quick)')"
  echo
  echo "\`bench/run.sh$([ $QUICK = 1 ] && echo ' --quick') --rounds $ROUNDS --only $ONLY --systems $SYSTEMS\`;" \
       "medians over the rounds; method in docs/performance.md and bench/README.md."
  echo
  sed -n 's/^# //p' "$RAW" | sed -n '2,5p' | sed 's/^/    /'
  echo
  echo "$TABLE"
  echo
  echo "## Raw output"
  echo
  echo '```'
  cat "$RAW"
  echo '```'
} >"$out"
log "results written to ${out#"$REPO"/}"
[ $FAILED = 0 ] || log "some workloads FAILED (see above)"
exit $FAILED
