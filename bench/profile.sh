#!/usr/bin/env bash
# profile.sh [workload ...] - where the time goes when Ibex replicates (default: w1 w2 w3).
#
# Runs anchors.sh for Ibex (sizes as in the full benchmark) and, during each workload's
# measured window only:
#   - perf record -a -g (the whole machine, 99 Hz): CPU samples per process (Ibex daemon,
#     PostgreSQL backends of the source and target, pgbench) and, inside the daemon, per
#     .NET method (DOTNET_PerfMapEnabled=1 makes the runtime write /tmp/perf-PID.map);
#   - dotnet-trace (when installed; DOTNET_TRACE=path) with the runtime's GC events at
#     verbose level: GC count per generation, allocation (sum of AllocationTick), GC pauses,
#     summarised by a tiny TraceEvent reader built under /tmp (gcparse).
# Needs perf (apt-get install linux-perf).  Writes only under $OUT (default
# /tmp/ibex-profile.XXXXXX) and prints a summary; nothing is kept in the repository.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(mktemp -d /tmp/ibex-profile.XXXXXX)}
DOTNET_TRACE=${DOTNET_TRACE:-$(command -v dotnet-trace || echo /tmp/dt/dotnet-trace)}
WLS=("$@"); [ ${#WLS[@]} -gt 0 ] || WLS=(w1 w2 w3)
command -v perf >/dev/null || { echo "profile.sh: perf not found (apt-get install linux-perf)" >&2; exit 2; }
mkdir -p "$OUT"

# The hook anchors.sh calls at the start (start DAEMON_PID) and end (stop WORKLOAD) of each window.
cat >"$OUT/hook.sh" <<EOF
#!/usr/bin/env bash
set -u
O=$OUT
case \$1 in
  start)
    perf record -a -g -F 99 -o "\$O/perf.cur.data" >/dev/null 2>"\$O/perf.cur.err" & echo \$! >"\$O/perf.pid"
    echo "\$2" >"\$O/daemon.pid"
    if [ -x "$DOTNET_TRACE" ] && [ "\$2" != 0 ]; then
      "$DOTNET_TRACE" collect -p "\$2" --providers 'Microsoft-Windows-DotNETRuntime:0x1:5' -o "\$O/gc.cur.nettrace" \
        >"\$O/trace.cur.log" 2>&1 </dev/null & echo \$! >"\$O/trace.pid"
    fi
    sleep 1 ;;
  stop)
    kill -INT "\$(cat "\$O/perf.pid")" 2>/dev/null; [ -f "\$O/trace.pid" ] && kill -INT "\$(cat "\$O/trace.pid")" 2>/dev/null
    for i in \$(seq 100); do kill -0 "\$(cat "\$O/perf.pid")" 2>/dev/null || { [ -f "\$O/trace.pid" ] && kill -0 "\$(cat "\$O/trace.pid")" 2>/dev/null; } || break; sleep 0.2; done
    mv "\$O/perf.cur.data" "\$O/perf.\$2.data" 2>/dev/null; mv "\$O/gc.cur.nettrace" "\$O/gc.\$2.nettrace" 2>/dev/null
    rm -f "\$O/trace.pid"
    ps -eo pid,args | grep -E 'postgres:|pgbench' >"\$O/procs.\$2.txt" || true ;;
esac
EOF
chmod +x "$OUT/hook.sh"

export DOTNET_PerfMapEnabled=1 PROFILE_CMD="$OUT/hook.sh"
echo "profile.sh: output in $OUT" >&2
"$HERE/anchors.sh" ibex "${WLS[@]}" | tee "$OUT/results.txt"

# Summaries: CPU share per process (comm + pid), and top symbols inside the daemon.
GCPARSE=
if ls "$OUT"/gc.*.nettrace >/dev/null 2>&1 && [ -d /tmp/gcparse ]; then
  dotnet build /tmp/gcparse -c Release -o /tmp/gcparse/out --nologo -v quiet >/dev/null 2>&1 && GCPARSE=/tmp/gcparse/out/gcparse.dll
fi
for f in "$OUT"/perf.*.data; do
  w=${f#"$OUT"/perf.}; w=${w%.data}
  echo "==== $w: CPU samples by process"
  perf report -i "$f" --no-children --sort comm,pid --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 15
  dp=$(cat "$OUT/daemon.pid")
  echo "==== $w: daemon (pid $dp), top symbols (self)"
  perf report -i "$f" --no-children --pid "$dp" --sort dso,sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 30
  if [ -n "$GCPARSE" ] && [ -f "$OUT/gc.$w.nettrace" ]; then
    echo "==== $w: GC"; dotnet "$GCPARSE" "$OUT/gc.$w.nettrace" || true
  fi
done | tee "$OUT/summary.txt"
rm -f /tmp/perf-*.map /tmp/perfinfo-*.map 2>/dev/null || true
