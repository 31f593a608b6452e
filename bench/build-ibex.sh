#!/usr/bin/env bash
# build-ibex.sh OUTDIR - build the ibex CLI (Release) for the benchmark into OUTDIR/cli.
#
# Builds from a snapshot of the sources, not from the working tree in place: the
# snapshot is the committed HEAD (git archive), so half-edited files of someone working
# in the same clone neither break nor leak into a benchmark, and the build's obj/ and
# bin/ folders stay under OUTDIR (a concurrent `dotnet build` of the clone is not
# disturbed).  IBEX_BUILD_FROM=worktree builds the working tree as it is (copied).
# Prints the path of Ibex.Cli.dll on stdout; progress on stderr.
set -euo pipefail
out=${1:?usage: build-ibex.sh OUTDIR}
repo=$(cd "$(dirname "$0")/.." && pwd)
from=${IBEX_BUILD_FROM:-head}
mkdir -p "$out/src"
parts=(src Directory.Build.props Directory.Packages.props global.json)
if [ "$from" = head ] && git -C "$repo" rev-parse --verify -q HEAD >/dev/null 2>&1; then
  git -C "$repo" archive HEAD "${parts[@]}" | tar -x -C "$out/src"
  echo "ibex build: sources of commit $(git -C "$repo" rev-parse --short HEAD)" >&2
else
  (cd "$repo" && tar -c --exclude=bin --exclude=obj "${parts[@]}") | tar -x -C "$out/src"
  echo "ibex build: sources of the working tree" >&2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$out/src/src/Ibex.Cli/Ibex.Cli.csproj" -c Release -o "$out/cli" --nologo -v quiet -clp:ErrorsOnly >&2
echo "$out/cli/Ibex.Cli.dll"
