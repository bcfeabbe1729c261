#!/usr/bin/env bash
# The adoption demo (SPEC §8): a throwaway PostgreSQL 15 with upstream
# Paperclip's real schema, made by its own migrations (test/upstream/
# create-schema.sh: @paperclipai/db from npm, pinned), a few rows including a
# zombie lock, then test/demo_attach.sql in psql: attach in compat mode, the
# DBA finds the zombie and force-releases it with an audit row, and an agent
# session is refused by the same rules. Nothing is installed system-wide.
set -euo pipefail
cd "$(dirname "$0")/.."
STAGE=$PWD/build/stage
PKGLIBDIR=$(pg_config --pkglibdir)
make -s -j2
rm -rf "$STAGE" && make -s install DESTDIR="$STAGE" >/dev/null
pg_virtualenv -t -v 15 \
    -o "extension_destdir=$STAGE" \
    -o "dynamic_library_path=$STAGE$PKGLIBDIR:$PKGLIBDIR" \
    bash -c 'test/upstream/create-schema.sh paperclip && psql -X -a -v ON_ERROR_STOP=0 -d paperclip -f test/demo_attach.sql'
