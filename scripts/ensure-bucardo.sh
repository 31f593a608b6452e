#!/usr/bin/env bash
# Makes sure Debian's bucardo package and PL/Perl for PostgreSQL 15 are installed, for the 'ibex import bucardo' tests.
# Never upgrades anything (--no-upgrade): running PostgreSQL servers are left alone. Without root or apt-get it only
# says so and exits 0: the rest of the suite still runs, and the Bucardo tests report why they were skipped. When apt
# fails (no network, or PL/Perl needs a newer postgresql-15 than the held one), apt's own error lines are printed.
set -uo pipefail
packages=(bucardo postgresql-plperl-15)
have() { command -v bucardo >/dev/null && ls /usr/lib/postgresql/*/lib/plperl.so >/dev/null 2>&1; }
# Prints the lines of an apt log on stderr, indented under a heading (the last 40 lines: apt puts the cause last).
show() {
  echo "ibex: $1" >&2
  tail -n 40 "$2" | sed 's/^/ibex:   /' >&2
}
if have; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ibex: installing ${packages[*]} for the Bucardo import tests (apt-get install --no-upgrade)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  update_log="$(mktemp)"
  install_log="$(mktemp)"
  trap 'rm -f "$update_log" "$install_log"' EXIT
  apt-get update -qq >"$update_log" 2>&1
  update_status=$?
  # Hold the installed PostgreSQL packages so that a newer PL/Perl cannot pull an upgrade of a running server.
  hold=""
  for p in postgresql-15 postgresql-client-15 postgresql-common; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && ! apt-mark showhold | grep -qx "$p"; then hold="$hold $p"; fi
  done
  [ -n "$hold" ] && apt-mark hold $hold >/dev/null
  apt-get install -y -qq --no-upgrade "${packages[@]}" >"$install_log" 2>&1
  install_status=$?
  [ -n "$hold" ] && apt-mark unhold $hold >/dev/null
  if have; then exit 0; fi
  if [ "$update_status" != 0 ]; then show "apt-get update failed (exit $update_status):" "$update_log"; fi
  if [ "$install_status" != 0 ]; then
    show "apt-get install -y --no-upgrade ${packages[*]} failed (exit $install_status)${hold:+ with$hold held}:" "$install_log"
  else
    echo "ibex: apt-get install ${packages[*]} succeeded, yet bucardo or PL/Perl (plperl.so) is still missing" >&2
  fi
  echo "ibex: could not install bucardo; the Bucardo import tests will be skipped (see apt's errors above)" >&2
  exit 0
fi
echo "ibex: bucardo is not installed; the Bucardo import tests will be skipped (as root: apt-get install -y --no-upgrade ${packages[*]})" >&2
exit 0
