#!/usr/bin/env bash
# Runs 'dotnet test' with the console logger and, when tests fail, repeats each failed test's name, message and first
# stack frames at the end, so that the last lines of a long run (all a CI summary may keep) say what failed.
set -uo pipefail
log=$(mktemp "${TMPDIR:-/tmp}/ibex-test-XXXXXX.log")
trap 'rm -f "$log"' EXIT
dotnet test Ibex.slnx -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  failed=$(grep -c '^  Failed ' "$log")
  echo
  if [ "$failed" = 0 ]; then
    echo "== no test failed, yet 'dotnet test' exited $rc; its errors, if any:"
    grep -E ': error |error [A-Z]+[0-9]+|^Error|MSB[0-9]+' "$log" | sort -u | head -n 20
  else
    echo "== failed tests ($failed of this run), each shortened to 40 lines without framework frames:"
    awk '/^  (Passed|Skipped) |^\[xUnit|^Test Run|^Total tests/ { keep = 0 }
         /^  Failed / { keep = 1; n = 0; print "" }
         keep && n < 40 && !/^ +at (System|Npgsql|Microsoft|Xunit)\./ { print; n++ }' "$log"
  fi
  echo "== end of the summary (exit $rc)"
fi
exit "$rc"
