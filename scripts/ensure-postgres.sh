#!/usr/bin/env bash
# Makes sure PostgreSQL 15+ server programs (initdb, pg_ctl) exist; installs Debian's postgresql-15 when possible.
set -euo pipefail
for d in /usr/lib/postgresql/*/bin; do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
    v=$(basename "$(dirname "$d")")
    if [ "${v%%.*}" -ge 15 ] 2>/dev/null; then exit 0; fi
  fi
done
if [ -n "${IBEX_PG_BIN:-}" ] && [ -x "$IBEX_PG_BIN/initdb" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ibex: installing PostgreSQL 15 server (apt-get install postgresql-15)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql-15 postgresql-contrib >/dev/null
  # Debian starts a default cluster on 5432; Ibex only uses its own throwaway clusters.
  command -v pg_ctlcluster >/dev/null && pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
  exit 0
fi
echo "ibex: PostgreSQL 15 server programs not found. Install them, e.g.:" >&2
echo "  sudo apt-get install -y postgresql-15      # Debian/Ubuntu" >&2
echo "or set IBEX_PG_BIN to the folder holding initdb and pg_ctl." >&2
exit 1
