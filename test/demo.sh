#!/usr/bin/env bash
# Builds the extension, stages it (test/stage.sh), starts a throwaway
# PostgreSQL 15 and runs test/demo.sql in psql. Nothing is installed system-wide
# and the cluster is dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/stage.sh  # sets STAGE
PKGLIBDIR=$(pg_config --pkglibdir)
make -s -j2
rm -rf "$STAGE" && make -s install DESTDIR="$STAGE" >/dev/null
pg_virtualenv -t -v 15 \
    -o "extension_destdir=$STAGE" \
    -o "dynamic_library_path=$STAGE$PKGLIBDIR:$PKGLIBDIR" \
    -o "shared_preload_libraries=paperclip_locks" \
    -o "paperclip.lease_reaper_databases=postgres" \
    psql -X -a -v ON_ERROR_STOP=0 -f test/demo.sql
