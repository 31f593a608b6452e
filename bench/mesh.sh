#!/usr/bin/env bash
# mesh.sh [SECONDS] - the multi-master proof at scale (issue 13): four writable nodes, two writers each on
# overlapping keys (inserts, updates, deletes, key changes), random daemon SIGKILLs, one node's server restarted, a
# node added and one removed during the run, then `ibex compare` must report 0 differing rows.
# It is MeshChaosTests (test/Ibex.Tests/MultiMaster) run for SECONDS (default 600) instead of the test's 120; prints
# the run's line (writes, conflicts per kind, rows, compare result) and exits non-zero when the nodes differ.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-600}
cd "$repo"
./scripts/ensure-postgres.sh >/dev/null
dotnet build Ibex.slnx -c Release --nologo -v quiet -clp:ErrorsOnly >&2
result=test/Ibex.Tests/bin/Release/net10.0/mesh-result.txt
rm -f "$result"
IBEX_MESH_SECONDS=$secs dotnet test Ibex.slnx -c Release --no-build \
  --filter "FullyQualifiedName~MultiMaster.MeshChaosTests" --logger "console;verbosity=normal" >&2
cat "$result"
