#!/usr/bin/env bash
# The in-place upgrade a DBA runs, end to end:
#   1. CREATE EXTENSION paperclip_locks VERSION '1.0' and load data with the
#      1.0 functions (live and stale locks, a force-release on the record, a
#      comment, an operator-added terminal status);
#   2. ALTER EXTENSION paperclip_locks UPDATE: the version is the default one,
#      every row and lock is as it was, and the upgraded functions work on
#      the 1.0 data (the stale lock is swept, the live holder keeps its lock);
#   3. pg_dump / pg_restore of it: every row comes back, the restored
#      extension is at the default version and works;
#   4. the whole regression suite (sql/, expected/) against the upgraded
#      database. (It runs after the round trip: a database holding what the
#      suite leaves -- an in_progress issue whose assignee admin_force_release
#      cleared -- does not restore yet; reported to the trigger's owner.)
# Runs against the server in the PG* environment, from the repository root;
# prints "upgrade: ok".
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
ext=paperclip_locks
old=${UPGRADE_FROM:-1.0}
new=$(sed -nE "s/^default_version = '([^']+)'.*/\1/p" $ext.control)
db=pc_upgrade_$$
dst=pc_upgrade_restored_$$
work=$(mktemp -d)
outdir=build/upgrade-regress
trap 'rm -rf "$work"; dropdb --if-exists "$db" >/dev/null 2>&1; dropdb --if-exists "$dst" >/dev/null 2>&1' EXIT
fail() { echo "upgrade: $*"; exit 1; }
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$@"; }
[ -n "$new" ] && [ "$new" != "$old" ] || fail "default version '$new' is not newer than $old"

echo "-- 1. $ext $old with data"
createdb "$db"
q "$db" -q -o /dev/null <<SQL
CREATE EXTENSION $ext VERSION '$old';
\set C  '000000ff-0000-4000-8000-0000000000c1'
\set A  '000000ff-0000-4000-8000-0000000000a1'
\set B  '000000ff-0000-4000-8000-0000000000b1'
\set RA '000000ff-0000-4000-8000-000000000001'
\set RB '000000ff-0000-4000-8000-000000000002'
\set RL '000000ff-0000-4000-8000-000000000003'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Upgrade Co', 'UPG');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES (:'C', 'user', 'board-user', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha'), (:'B', :'C', 'Beta');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'RA', :'C', :'A', 'running'), (:'RB', :'C', :'B', 'running'), (:'RL', :'C', :'B', 'lost_heartbeat');
INSERT INTO paperclip.issues (id, company_id, title, status)
SELECT ('000000ff-0000-4000-8000-0000000001' || lpad(n::text, 2, '0'))::uuid, :'C', 'Issue ' || n, 'todo'
FROM generate_series(1, 20) AS n;
-- Alpha's run holds issues 1-3 (checkout); Beta's lost run holds 4 and 5.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
SELECT count(*) FROM generate_series(1, 3) AS n,
    paperclip.checkout(('000000ff-0000-4000-8000-0000000001' || lpad(n::text, 2, '0'))::uuid, :'A', '{todo}', :'RA');
SELECT paperclip.acquire_execution_lock('000000ff-0000-4000-8000-000000000101', :'RA');
INSERT INTO paperclip.issue_comments (company_id, issue_id, body)
    VALUES (:'C', '000000ff-0000-4000-8000-000000000101', 'working on it');
COMMIT;
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RL');
SELECT count(*) FROM generate_series(4, 5) AS n,
    paperclip.checkout(('000000ff-0000-4000-8000-0000000001' || lpad(n::text, 2, '0'))::uuid, :'B', '{todo}', :'RL');
COMMIT;
-- The board force-releases issue 3 (audited).
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT count(*) FROM paperclip.admin_force_release('000000ff-0000-4000-8000-000000000103', false, 'upgrade test');
COMMIT;
-- The operator declares lost_heartbeat terminal: issues 4 and 5 hold stale locks.
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('lost_heartbeat', 'added by operator');
SQL
snapshot() {  # db -> every row of the extension's tables, in a stable order
    q "$1" <<'SQL'
SELECT 'company ' || c::text FROM paperclip.companies c ORDER BY id;
SELECT 'membership ' || (m.company_id, m.principal_type, m.principal_id, m.membership_role, m.status)::text
FROM paperclip.company_memberships m ORDER BY 1;
SELECT 'agent ' || (a.id, a.name, a.status)::text FROM paperclip.agents a ORDER BY a.id;
SELECT 'run ' || (r.id, r.agent_id, r.status)::text FROM paperclip.heartbeat_runs r ORDER BY r.id;
SELECT 'issue ' || (i.id, i.status, i.assignee_agent_id, i.checkout_run_id, i.execution_run_id,
                    i.execution_agent_name_key, i.execution_locked_at IS NOT NULL)::text
FROM paperclip.issues i ORDER BY i.id;
SELECT 'comment ' || (c.issue_id, c.body)::text FROM paperclip.issue_comments c ORDER BY 1;
SELECT 'audit ' || (l.action, l.entity_id, l.actor_type, l.actor_id, l.details::text)::text
FROM paperclip.activity_log l ORDER BY l.created_at, l.id;
SELECT 'terminal ' || (t.status, t.builtin, t.note)::text FROM paperclip.terminal_run_statuses t ORDER BY t.status;
SQL
}
snapshot "$db" >"$work/before"
stale_before=$(q "$db" -c "SELECT count(*) FROM paperclip.issue_locks WHERE stale")
[ "$stale_before" = 2 ] || fail "expected 2 stale locks before the upgrade, saw $stale_before"
grep -c '^audit ' "$work/before" | grep -qv '^0$' || fail "no audit row before the upgrade"

echo "-- 2. ALTER EXTENSION $ext UPDATE ($old -> $new)"
q "$db" -q -c "ALTER EXTENSION $ext UPDATE"
v=$(q "$db" -c "SELECT extversion FROM pg_extension WHERE extname = '$ext'")
[ "$v" = "$new" ] || fail "extversion is $v after the update, not $new"
snapshot "$db" >"$work/after"
diff -u "$work/before" "$work/after" || fail "rows changed across the upgrade"
echo "$(wc -l <"$work/after") rows unchanged"
# The upgraded functions on the 1.0 data.
q "$db" -q -o /dev/null <<'SQL'
CALL paperclip.sweep_all_stale_locks(1000);
DO $$
BEGIN
    IF (SELECT count(*) FROM paperclip.issue_locks WHERE stale) <> 0 THEN
        RAISE EXCEPTION 'stale locks left after the sweep';
    END IF;
    IF (SELECT count(*) FROM paperclip.issues WHERE checkout_run_id = '000000ff-0000-4000-8000-000000000001') <> 2 THEN
        RAISE EXCEPTION 'the live run lost its checkouts';
    END IF;
END
$$;
-- (1 / false::int fails: each SELECT below is an assertion.)
BEGIN;
SELECT paperclip.set_actor_agent('000000ff-0000-4000-8000-0000000000a1', '000000ff-0000-4000-8000-000000000001');
-- The holding run gets its issue back unchanged, and releases another.
SELECT 1 / (status = 'in_progress' AND checkout_run_id = '000000ff-0000-4000-8000-000000000001')::int
FROM paperclip.checkout('000000ff-0000-4000-8000-000000000101',
    '000000ff-0000-4000-8000-0000000000a1', '{in_progress}', '000000ff-0000-4000-8000-000000000001');
SELECT 1 / (checkout_run_id IS NULL AND status = 'todo')::int
FROM paperclip.release('000000ff-0000-4000-8000-000000000102',
    '000000ff-0000-4000-8000-0000000000a1', '000000ff-0000-4000-8000-000000000001');
COMMIT;
-- Beta's new live run adopts issue 4, swept of its lost run's lock.
BEGIN;
SELECT paperclip.set_actor_agent('000000ff-0000-4000-8000-0000000000b1', '000000ff-0000-4000-8000-000000000002');
SELECT 1 / (checkout_run_id = '000000ff-0000-4000-8000-000000000002')::int FROM paperclip.checkout(
    '000000ff-0000-4000-8000-000000000104', '000000ff-0000-4000-8000-0000000000b1', '{in_progress}',
    '000000ff-0000-4000-8000-000000000002');
COMMIT;
SQL
echo "sweep, checkout and release work on the $old data"

echo "-- 3. pg_dump / pg_restore of the upgraded database"
counts() {
    q "$1" -c "SELECT string_agg(t || '=' || n, ' ' ORDER BY t) FROM (
        SELECT 'companies' t, count(*) n FROM paperclip.companies UNION ALL
        SELECT 'memberships', count(*) FROM paperclip.company_memberships UNION ALL
        SELECT 'agents', count(*) FROM paperclip.agents UNION ALL
        SELECT 'runs', count(*) FROM paperclip.heartbeat_runs UNION ALL
        SELECT 'issues', count(*) FROM paperclip.issues UNION ALL
        SELECT 'locked', count(*) FROM paperclip.issues WHERE checkout_run_id IS NOT NULL UNION ALL
        SELECT 'relations', count(*) FROM paperclip.issue_relations UNION ALL
        SELECT 'comments', count(*) FROM paperclip.issue_comments UNION ALL
        SELECT 'activity', count(*) FROM paperclip.activity_log UNION ALL
        SELECT 'terminal', count(*) FROM paperclip.terminal_run_statuses) c"
}
pg_dump -Fc -f "$work/dump" "$db"  # (its circular-FK warning is about agents.reports_to: harmless here)
createdb "$dst"
pg_restore --exit-on-error -d "$dst" "$work/dump"
before=$(counts "$db")
after=$(counts "$dst")
echo "upgraded: $before"
echo "restored: $after"
[ "$before" = "$after" ] || fail "row counts differ after pg_restore"
snapshot "$db" >"$work/upgraded"
snapshot "$dst" >"$work/restored"
diff -u "$work/upgraded" "$work/restored" || fail "rows differ after pg_restore"
v=$(q "$dst" -c "SELECT extversion FROM pg_extension WHERE extname = '$ext'")
[ "$v" = "$new" ] || fail "restored extension is at $v, not $new"
[ "$(q "$dst" -c "SELECT paperclip.run_status_is_terminal('lost_heartbeat')")" = t ] ||
    fail "the operator-added terminal status was lost"
q "$dst" -q -o /dev/null <<'SQL'
BEGIN;
SELECT paperclip.set_actor_agent('000000ff-0000-4000-8000-0000000000b1', '000000ff-0000-4000-8000-000000000002');
SELECT 1 / (checkout_run_id = '000000ff-0000-4000-8000-000000000002')::int FROM paperclip.checkout(
    '000000ff-0000-4000-8000-000000000106', '000000ff-0000-4000-8000-0000000000b1', '{todo}',
    '000000ff-0000-4000-8000-000000000002');
COMMIT;
SQL
echo "restored database: same rows, extension $new, checkout works"
echo "-- 4. the regression suite against the upgraded database"
rm -rf "$outdir" && mkdir -p "$outdir"
# No --load-extension: the suite runs in the upgraded database as it is.
if make -s installcheck ISOLATION= REGRESS_OPTS="--use-existing --dbname=$db --outputdir=$outdir" \
        >"$outdir/installcheck.log" 2>&1; then
    :
else
    cat "$outdir/installcheck.log"; [ -f "$outdir/regression.diffs" ] && head -c 20000 "$outdir/regression.diffs"
    fail "the regression suite fails on the upgraded database"
fi
ok=$(grep -cE '\.\.\. ok|^ok ' "$outdir/installcheck.log" || true)
bad=$(grep -ciE '\.\.\. failed|^not ok ' "$outdir/installcheck.log" || true)
[ "$ok" -gt 0 ] && [ "$bad" -eq 0 ] || { cat "$outdir/installcheck.log"; fail "$ok regression tests passed, $bad failed"; }
echo "$ok regression tests passed on the upgraded database"

echo "upgrade: ok"
