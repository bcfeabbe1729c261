#!/usr/bin/env bash
# A failed ALTER EXTENSION ... UPDATE leaves the database at the old version:
# the upgrade script runs in the statement's transaction, so whatever it did
# before the failure is undone.
#
# The failure is planted: an event trigger that raises at the end of ALTER
# EXTENSION, i.e. after the whole upgrade script has run. Then:
#   - the UPDATE fails with the planted error;
#   - extversion is still the old version;
#   - the extension's catalog (test/extension_catalog.sh: members, initial
#     privileges, every object in full) equals a fresh install of the old
#     version -- nothing the script created or changed survives;
#   - every row and lock is as it was, and the old functions still work;
#   - with the planted object dropped, the same UPDATE succeeds.
# Runs against the server in the PG* environment; prints "upgrade_failed: ok".
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
ext=paperclip_locks
old=${UPGRADE_FROM:-1.0}
new=$(sed -nE "s/^default_version = '([^']+)'.*/\1/p" $ext.control)
db=pc_upfail_$$
ref=pc_upfail_ref_$$
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$db" >/dev/null 2>&1; dropdb --if-exists "$ref" >/dev/null 2>&1' EXIT
fail() { echo "upgrade_failed: $*"; exit 1; }
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$@"; }
[ -n "$new" ] && [ "$new" != "$old" ] || fail "default version '$new' is not newer than $old"

createdb "$db"
q "$db" -q -o /dev/null <<SQL
CREATE EXTENSION $ext VERSION '$old';
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES ('000000fe-0000-4000-8000-0000000000c1', 'Fail Co', 'FAI');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    ('000000fe-0000-4000-8000-0000000000a1', '000000fe-0000-4000-8000-0000000000c1', 'Alpha');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    ('000000fe-0000-4000-8000-000000000001', '000000fe-0000-4000-8000-0000000000c1',
     '000000fe-0000-4000-8000-0000000000a1', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    ('000000fe-0000-4000-8000-000000000101', '000000fe-0000-4000-8000-0000000000c1', 'one', 'todo'),
    ('000000fe-0000-4000-8000-000000000102', '000000fe-0000-4000-8000-0000000000c1', 'two', 'todo');
BEGIN;
SELECT paperclip.set_actor_agent('000000fe-0000-4000-8000-0000000000a1', '000000fe-0000-4000-8000-000000000001');
SELECT paperclip.checkout('000000fe-0000-4000-8000-000000000101', '000000fe-0000-4000-8000-0000000000a1',
                          '{todo}', '000000fe-0000-4000-8000-000000000001');
COMMIT;
-- The planted object: refuses every ALTER EXTENSION once its script has run.
CREATE FUNCTION public.planted_refuse_upgrade() RETURNS event_trigger LANGUAGE plpgsql AS \$\$
BEGIN
    RAISE EXCEPTION 'planted: upgrade refused after its script ran';
END
\$\$;
CREATE EVENT TRIGGER planted_refuse_upgrade ON ddl_command_end WHEN TAG IN ('ALTER EXTENSION')
    EXECUTE FUNCTION public.planted_refuse_upgrade();
SQL
rows() {
    q "$db" <<'SQL'
SELECT (i.id, i.status, i.assignee_agent_id, i.checkout_run_id, i.execution_run_id)::text
FROM paperclip.issues i ORDER BY i.id;
SELECT (l.action, l.entity_id)::text FROM paperclip.activity_log l ORDER BY l.id;
SQL
}
rows >"$work/rows_before"
grep -q '000000fe-0000-4000-8000-000000000001' "$work/rows_before" || fail "the checkout did not take the lock"

if q "$db" -c "ALTER EXTENSION $ext UPDATE" >"$work/update.out" 2>&1; then
    fail "ALTER EXTENSION UPDATE succeeded despite the planted event trigger"
fi
grep -q 'planted: upgrade refused after its script ran' "$work/update.out" ||
    { cat "$work/update.out"; fail "the update failed, but not with the planted error"; }
echo "ALTER EXTENSION UPDATE failed: $(grep -m1 ERROR "$work/update.out")"

v=$(q "$db" -c "SELECT extversion FROM pg_extension WHERE extname = '$ext'")
[ "$v" = "$old" ] || fail "extversion is $v after the failed update, not $old"
rows >"$work/rows_after"
diff -u "$work/rows_before" "$work/rows_after" || fail "rows changed by the failed update"
# The old version still works: the holding run gets its issue back.
out=$(q "$db" -q <<'SQL'
BEGIN;
SELECT paperclip.set_actor_agent('000000fe-0000-4000-8000-0000000000a1', '000000fe-0000-4000-8000-000000000001') \g /dev/null
SELECT checkout_run_id FROM paperclip.checkout('000000fe-0000-4000-8000-000000000101',
    '000000fe-0000-4000-8000-0000000000a1', '{in_progress}', '000000fe-0000-4000-8000-000000000001');
COMMIT;
SQL
)
[ "$out" = 000000fe-0000-4000-8000-000000000001 ] || fail "checkout by the holder after the failed update gave '$out'"

# The catalog is a fresh $old install's, object for object. The databases are
# described after a clone (describe_extension drops the extension).
createdb "$ref"
q "$ref" -q -c "CREATE EXTENSION $ext VERSION '$old'"
createdb -T "$db" "${db}_copy"
trap 'rm -rf "$work"; for d in "$db" "$ref" "${db}_copy"; do dropdb --if-exists "$d" >/dev/null 2>&1; done' EXIT
. test/extension_catalog.sh
q "${db}_copy" -q -c "DROP EVENT TRIGGER planted_refuse_upgrade"
describe_extension "$ref" "$ext" "$work/ref.txt"
describe_extension "${db}_copy" "$ext" "$work/failed.txt"
# Rows differ (this database has data); the catalog part must not.
strip_data() { awk '/^COPY /{skip=1} !skip{print} /^\\\.$/{skip=0}' "$1"; }
strip_data "$work/ref.txt" >"$work/ref.schema"
strip_data "$work/failed.txt" >"$work/failed.schema"
[ "$(wc -l <"$work/ref.schema")" -gt 200 ] || fail "the catalog description is too short"
grep -q "^extension $old " "$work/failed.schema" || fail "catalog description not at $old"
diff -u --label "fresh $old" --label "$old after a failed update" "$work/ref.schema" "$work/failed.schema" ||
    fail "the failed update left catalog changes"
echo "catalog identical to a fresh $old install ($(wc -l <"$work/ref.schema") lines)"

# Without the planted object the same update goes through.
q "$db" -q -c "DROP EVENT TRIGGER planted_refuse_upgrade" -c "ALTER EXTENSION $ext UPDATE"
v=$(q "$db" -c "SELECT extversion FROM pg_extension WHERE extname = '$ext'")
[ "$v" = "$new" ] || fail "extversion is $v after the retried update, not $new"
echo "retried without the planted object: $old -> $new"
echo "upgrade_failed: ok"
