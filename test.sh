#!/usr/bin/env bash
# Runs the whole test suite against real, throwaway PostgreSQL servers (started by the tests themselves).
# Installs PostgreSQL 15 first when its server programs are missing (root on Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")"
./scripts/ensure-postgres.sh
exec dotnet test Ibex.slnx -c Release --logger "console;verbosity=normal" "$@"
