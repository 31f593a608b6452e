#!/usr/bin/env bash
# table.sh RAW_FILE... - the side-by-side table (markdown) from anchors.sh RESULT lines:
# for each workload and metric, the median over the status=ok runs of every system, and
# the ratios Ibex/native and Ibex/pg_dump.  A cell with failed runs says so ("2 ok, 1 FAIL"); a system with
# no run of a workload shows "-" ("n/a" where the system cannot run it at all).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 raw-results-file..." >&2; exit 2; }
awk '
function median(s,   a, n, i, j, t) {
  n = split(s, a, " ")
  for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function fmt(v) {   # 3 significant-ish digits, no exponent
  v += 0
  if (v == int(v)) return sprintf("%d", v)
  if (v >= 100 || v <= -100) return sprintf("%.0f", v)
  if (v >= 10 || v <= -10) return sprintf("%.1f", v)
  return sprintf("%.3g", v)
}
$1 == "RESULT" {
  sys = $2; wl = $3; st = ""
  for (i = 4; i <= NF; i++) if ($i ~ /^status=/) st = substr($i, 8)
  seen[sys] = 1; ran[sys, wl] = 1
  if (wl == "w4_mm" && st == "na") { na[sys, "w4_mm_disjoint"] = na[sys, "w4_mm_shared"] = 1; next }
  if (st == "na") { na[sys, wl] = 1; next }
  if (wl == "w4_mm" || wl == "run") { fails[sys, "any"]++; next }   # a W4 that failed before its phases, or a whole run
  if (st != "ok") { fail[sys, wl]++; }
  else ok[sys, wl]++
  if (st != "ok") next
  for (i = 4; i <= NF; i++) {
    p = index($i, "="); k = substr($i, 1, p - 1); v = substr($i, p + 1)
    if (v !~ /^-?[0-9]+(\.[0-9]+)?$/) continue
    vals[sys, wl, k] = vals[sys, wl, k] " " v
  }
}
END {
  # W4 needs a two-way set-up; PostgreSQL 15 native and (in this harness) Bucardo have none.
  w4ran = 0; for (x in seen) if ((x, "w4_mm_disjoint") in ran || (x, "w4_mm") in ran) w4ran = 1
  if (w4ran) for (x in seen) if (x == "native" || x == "bucardo") na[x, "w4_mm_disjoint"] = na[x, "w4_mm_shared"] = 1
  nsys = split("ibex native pgdump pglogical bucardo none", order, " ")
  ratio["native"] = "Ibex/native"; ratio["pgdump"] = "Ibex/pg_dump"   # a ratio column after each of these
  ns = 0
  for (i = 1; i <= nsys; i++) if (order[i] in seen) cols[++ns] = order[i]
  title["ibex"] = "Ibex"; title["native"] = "native"; title["pglogical"] = "pglogical"; title["bucardo"] = "Bucardo"; title["none"] = "no replication"; title["pgdump"] = "pg_dump + pg_restore"
  nw = split("w1_bulk w1_5m w2_oltp w3_copy w5_copy w5_kill w4_mm_disjoint w4_mm_shared sw_switchover", wls, " ")
  wname["w5_copy"] = "W5 initial copy, 5 tables"; wname["w5_kill"] = "W5 killed at 50 % and restarted"
  m["w5_copy"] = "secs copy_s rows_per_s"; m["w5_kill"] = "secs vs_uninterrupted killed_at_pct killed_at_s dst_rows_written"
  wname["w1_bulk"] = "W1 bulk (1 txn)"; wname["w1_5m"] = "W1-5M (1 txn, 5M rows)"; wname["w2_oltp"] = "W2 OLTP (pgbench)"
  wname["w3_copy"] = "W3 initial copy"; wname["w4_mm_disjoint"] = "W4 two-way, disjoint keys"; wname["w4_mm_shared"] = "W4 two-way, shared keys"
  m["w1_bulk"] = m["w1_5m"] = "secs rows_per_s first_row_s"
  m["w2_oltp"] = "src_tps repl_rows_per_s lag_p50_ms lag_p95_ms lag_p99_ms lag_max_ms drain_s"
  m["w3_copy"] = "secs copy_s rows_per_s"
  wname["sw_switchover"] = "SW switchover 15 -> 18 (pgbench)"; m["sw_switchover"] = "refused_s caught_up_s client_gap_s restarts"
  m["w4_mm_disjoint"] = m["w4_mm_shared"] = "a_tps b_tps repl_ab_rows_per_s repl_ba_rows_per_s lag_ab_p50_ms lag_ab_p95_ms lag_ab_p99_ms lag_ba_p50_ms lag_ba_p95_ms lag_ba_p99_ms drain_ab_s drain_ba_s conflicts_per_s"
  common = "daemon_rss_mb daemon_cpu_s src_cpu_s dst_cpu_s wall_s"
  hi = " rows_per_s src_tps repl_rows_per_s a_tps b_tps repl_ab_rows_per_s repl_ba_rows_per_s "
  line = "| workload | metric | better |"; sep = "|---|---|---|"
  for (c = 1; c <= ns; c++) {
    line = line " " title[cols[c]] " |"; sep = sep "---:|"
    if ((cols[c] in ratio) && ("ibex" in seen)) { line = line " " ratio[cols[c]] " |"; sep = sep "---:|" }
  }
  print line; print sep
  for (w = 1; w <= nw; w++) {
    wl = wls[w]; any = 0
    for (c = 1; c <= ns; c++) if ((cols[c], wl) in ran || (cols[c], wl) in na) any = 1
    if (!any) continue
    nm = split(m[wl] " " common, ms, " ")
    # first row: runs
    line = "| **" wname[wl] "** | runs ok |  |"
    for (c = 1; c <= ns; c++) {
      s = cols[c]
      if ((s, wl) in na) cell = "n/a"
      else if (!((s, wl) in ran)) cell = "-"
      else cell = (ok[s, wl] + 0) "/" (ok[s, wl] + fail[s, wl])
      line = line " " cell " |"
      if ((s in ratio) && ("ibex" in seen)) line = line "  |"
    }
    print line
    for (i = 1; i <= nm; i++) {
      k = ms[i]; has = 0
      for (c = 1; c <= ns; c++) if ((cols[c], wl, k) in vals) has = 1
      if (!has) continue
      better = index(hi, " " k " ") ? "higher" : "lower"
      if (k ~ /_cpu_s$|^wall_s$|^killed_at_/) better = ""
      line = "| | " k " | " better " |"
      for (c = 1; c <= ns; c++) {
        s = cols[c]
        if ((s, wl, k) in vals) { med[s] = median(vals[s, wl, k]); cell = fmt(med[s]) } else { delete med[s]; cell = ((s, wl) in na) ? "n/a" : "-" }
        line = line " " cell " |"
        if ((s in ratio) && ("ibex" in seen)) {
          r = "";
          if (("ibex" in med) && (s in med) && med[s] + 0 != 0) r = sprintf("%.2f", med["ibex"] / med[s])
          line = line " " r " |"
        }
      }
      print line
    }
  }
  if (w4ran && (("native" in seen) || ("bucardo" in seen)))
    print "\nn/a in W4: native logical replication in PostgreSQL 15 cannot replicate both ways without loops (the subscription option origin = none came in 16); Bucardo'"'"'s multi-source mode is not set up in this harness."
  for (c = 1; c <= ns; c++) if ((cols[c], "any") in fails) printf("\n%s: %d run(s) failed before reporting a workload.\n", title[cols[c]], fails[cols[c], "any"])
}' "$@"
