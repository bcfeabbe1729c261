#!/usr/bin/env bash
# The two ways to reach the default version must give the same catalog:
#   fresh:    CREATE EXTENSION paperclip_locks                (the --1.1.sql script)
#   upgraded: CREATE EXTENSION paperclip_locks VERSION '1.0'; ALTER EXTENSION ... UPDATE
# A change made to only one of sql/paperclip_locks--1.1.sql and
# sql/paperclip_locks--1.0--1.1.sql fails this test.
#
# What is compared: test/extension_catalog.sh (catalog rows, members, initial
# privileges, and a pg_dump of every member object in full).
# Then a planted difference must be detected, so the comparison can fail.
# Runs against the server in the PG* environment; prints "upgrade_drift: ok".
set -euo pipefail
ext=paperclip_locks
old=${UPGRADE_FROM:-1.0}
work=$(mktemp -d)
dbs=()
cleanup() {
    for d in "${dbs[@]}"; do dropdb --if-exists "$d" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$@"; }
newdb() { createdb "$1"; dbs+=("$1"); }

fresh=pc_drift_fresh_$$
upgraded=pc_drift_upgraded_$$
planted=pc_drift_planted_$$
newdb "$fresh"
psql_db "$fresh" -c "CREATE EXTENSION $ext"
# (pg_available_extensions does not look in extension_destdir: ask the database.)
new=$(psql -X -At -d "$fresh" -c "SELECT extversion FROM pg_extension WHERE extname = '$ext'")
[ "$new" != "$old" ] || { echo "upgrade_drift: default version is $old, nothing to compare"; exit 1; }
for d in "$upgraded" "$planted"; do
    newdb "$d"
    psql_db "$d" -c "CREATE EXTENSION $ext VERSION '$old'" -c "ALTER EXTENSION $ext UPDATE"
done
# The planted drift: what an upgrade script that forgot one line would leave.
psql_db "$planted" -c "COMMENT ON VIEW paperclip.issue_locks IS 'drifted'" \
                   -c "ALTER TABLE paperclip.issues ADD COLUMN drifted boolean"

. "$(dirname "$0")/extension_catalog.sh"
describe_extension "$fresh" "$ext" "$work/f.txt"; f=$work/f.txt
describe_extension "$upgraded" "$ext" "$work/u.txt"; u=$work/u.txt
describe_extension "$planted" "$ext" "$work/p.txt"; p=$work/p.txt
lines=$(wc -l <"$f")
# A description this short means the dump or the catalog queries saw nothing.
[ "$lines" -gt 200 ] || { echo "upgrade_drift: description of $fresh has only $lines lines"; cat "$f"; exit 1; }
grep -q "^extension $new " "$f" && grep -q "^extension $new " "$u" ||
    { echo "upgrade_drift: a database is not at $new"; grep '^extension' "$f" "$u"; exit 1; }
if ! diff -u --label "fresh $new" --label "$old updated to $new" "$f" "$u"; then
    echo "upgrade_drift: CREATE EXTENSION $ext and $old + ALTER EXTENSION UPDATE differ (above)"
    exit 1
fi
if diff -q "$f" "$p" >/dev/null; then
    echo "upgrade_drift: a planted difference went unnoticed: the comparison is blind"
    exit 1
fi
grep -q 'drifted' <(diff "$f" "$p") || { echo "upgrade_drift: planted difference not where expected"; exit 1; }
echo "compared $lines lines: fresh $new == $old updated to $new; planted drift detected"
echo "upgrade_drift: ok"
