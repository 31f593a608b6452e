#!/usr/bin/env bash
# Makes sure Debian's bucardo package and PL/Perl for PostgreSQL 15 are installed, for the 'ibex import bucardo' tests.
# Never upgrades anything (--no-upgrade): running PostgreSQL servers are left alone. Without root, apt-get or network
# it only says so and exits 0: the rest of the suite still runs, and the Bucardo tests report why they were skipped.
set -uo pipefail
have() { command -v bucardo >/dev/null && ls /usr/lib/postgresql/*/lib/plperl.so >/dev/null 2>&1; }
if have; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ibex: installing bucardo and postgresql-plperl-15 for the Bucardo import tests (apt-get install --no-upgrade)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  # Hold the installed PostgreSQL packages so that a newer PL/Perl cannot pull an upgrade of a running server.
  hold=""
  for p in postgresql-15 postgresql-client-15 postgresql-common; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && ! apt-mark showhold | grep -qx "$p"; then hold="$hold $p"; fi
  done
  [ -n "$hold" ] && apt-mark hold $hold >/dev/null
  apt-get install -y -qq --no-upgrade bucardo postgresql-plperl-15 >/dev/null 2>&1
  [ -n "$hold" ] && apt-mark unhold $hold >/dev/null
  if have; then exit 0; fi
  echo "ibex: could not install bucardo (no network?); the Bucardo import tests will be skipped" >&2
  exit 0
fi
echo "ibex: bucardo is not installed; the Bucardo import tests will be skipped (as root: apt-get install -y --no-upgrade bucardo postgresql-plperl-15)" >&2
exit 0
