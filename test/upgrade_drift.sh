#!/usr/bin/env bash
# The two ways to reach the default version must give the same catalog:
#   fresh:    CREATE EXTENSION paperclip_locks                (the --1.1.sql script)
#   upgraded: CREATE EXTENSION paperclip_locks VERSION '1.0'; ALTER EXTENSION ... UPDATE
# A change made to only one of sql/paperclip_locks--1.1.sql and
# sql/paperclip_locks--1.0--1.1.sql fails this test.
#
# What is compared, per database:
#   1. the extension row (version, relocatable, config tables and their filters);
#   2. its member objects (pg_describe_object) and their initial privileges
#      (pg_init_privs, what pg_dump treats as the extension's own ACLs);
#   3. pg_dump of schema paperclip, schema and data, after every member is
#      detached from the extension (ALTER EXTENSION ... DROP): pg_dump then
#      writes each object in full -- columns in order, defaults, constraints,
#      indexes, triggers, views, function bodies and attributes, comments,
#      owners and GRANTs -- and the rows the scripts seed (timestamps masked).
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

describe() {  # db -> normalised description in $work/$db.txt
    local db=$1 out=$work/$1.txt
    psql -X -At -v ON_ERROR_STOP=1 -d "$db" >"$out" <<SQL
SELECT 'extension ' || e.extversion || ' relocatable=' || e.extrelocatable
       || ' schema=' || e.extnamespace::regnamespace
FROM pg_extension e WHERE e.extname = '$ext';
SELECT 'config ' || c.oid::regclass || ' filter=' || coalesce(e.extcondition[i], '')
FROM pg_extension e, generate_subscripts(e.extconfig, 1) AS i, pg_class c
WHERE e.extname = '$ext' AND c.oid = e.extconfig[i]
ORDER BY 1;
SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
FROM pg_depend d JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = '$ext' AND d.deptype = 'e'
ORDER BY 1;
SELECT 'init_privs ' || pg_describe_object(p.classoid, p.objoid, p.objsubid) || ' ' || p.privtype::text
       || ' ' || p.initprivs::text
FROM pg_init_privs p
JOIN pg_depend d ON d.classid = p.classoid AND d.objid = p.objoid AND d.deptype = 'e'
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = '$ext'
ORDER BY 1;
SQL
    # Detach every member (the schema last), then drop the now empty extension.
    psql_db "$db" <<SQL
DO \$\$
DECLARE
    m record;
BEGIN
    FOR m IN
        SELECT o.type, o.identity
        FROM pg_depend d
        JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
        CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) AS o
        WHERE e.extname = '$ext' AND d.deptype = 'e'
        ORDER BY o.type = 'schema', o.type, o.identity
    LOOP
        EXECUTE format('ALTER EXTENSION $ext DROP %s %s', upper(m.type), m.identity);
    END LOOP;
END
\$\$;
DROP EXTENSION $ext;
SQL
    pg_dump --no-tablespaces -n paperclip "$db" |
        grep -vE '^(--|SET |SELECT pg_catalog\.set_config|\\restrict |\\unrestrict )' | sed '/^$/d' |
        sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9.]+\+[0-9]{2}/<timestamp>/g' >>"$out"
}

describe "$fresh"; f=$work/$fresh.txt
describe "$upgraded"; u=$work/$upgraded.txt
describe "$planted"; p=$work/$planted.txt
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
