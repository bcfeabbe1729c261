#!/bin/bash
# usage: test/attach/upstream_schema.sh DBNAME
# Stop-gap until test/upstream/create-schema.sh (issue 14) is in main: creates
# upstream Paperclip's schema in the new database DBNAME from the pinned npm
# package @paperclipai/db (cached under build/upstream-db), applying
# dist/migrations/*.sql in meta/_journal.json order in ONE transaction, after
# pg_trgm and fuzzystrmatch. Nothing of upstream is kept in the repository.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
version=2026.916.1
cache=$root/build/upstream-db
migrations=$cache/node_modules/@paperclipai/db/dist/migrations
if [ ! -f "$migrations/meta/_journal.json" ]; then
    mkdir -p "$cache"
    (cd "$cache" && [ -f package.json ] || echo '{"private":true}' > package.json
     npm install --ignore-scripts --no-audit --no-fund --loglevel=error "@paperclipai/db@$version" </dev/null)
fi
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
createdb "$1"
{
    echo 'BEGIN;'
    echo 'CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;'
    python3 - "$migrations/meta/_journal.json" <<'PY' | while read -r tag; do cat "$migrations/$tag.sql"; printf '\n;\n'; done
import json, sys
for e in sorted(json.load(open(sys.argv[1]))['entries'], key=lambda e: e['idx']):
    print(e['tag'])
PY
    echo 'COMMIT;'
} | psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null
