#!/usr/bin/env bash
# pg_dump / pg_restore round trip: every row of the extension's tables comes
# back, including an operator-added terminal status, and the built-in ones are
# not duplicated. Runs against the server in the PG* environment.
set -euo pipefail
src=pc_dump_src_$$
dst=pc_dump_dst_$$
dump=$(mktemp)
trap 'rm -f "$dump"; dropdb --if-exists "$src"; dropdb --if-exists "$dst"' EXIT
createdb "$src"
psql -X -q -v ON_ERROR_STOP=1 -d "$src" <<'SQL'
CREATE EXTENSION paperclip_locks;
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES ('00000000-0000-4000-8000-0000000000c1', 'Acme', 'ACM');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
  VALUES ('00000000-0000-4000-8000-0000000000c1', 'user', 'board-user', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 'CodexCoder');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a1', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
  ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000c1', 'Blocker', 'todo'),
  ('00000000-0000-4000-8000-0000000000e2', '00000000-0000-4000-8000-0000000000c1', 'Work', 'todo');
INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id)
  VALUES ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000e2');
INSERT INTO paperclip.issue_comments (company_id, issue_id, body) VALUES ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000e1', 'hello');
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('adapter_failed', 'added by operator');
-- An issue whose assignee was terminated after it was assigned: it must
-- restore (the assignee rules of SPEC §10 hold a restore's INSERT to the
-- same company only).
INSERT INTO paperclip.agents (id, company_id, name) VALUES ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000c1', 'Retired');
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
  ('00000000-0000-4000-8000-0000000000e3', '00000000-0000-4000-8000-0000000000c1', 'Orphaned', 'todo', '00000000-0000-4000-8000-0000000000a2');
UPDATE paperclip.agents SET status = 'terminated' WHERE id = '00000000-0000-4000-8000-0000000000a2';
BEGIN;
SELECT paperclip.set_actor_agent('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001');
SELECT status FROM paperclip.checkout('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000a1', '{todo}');
COMMIT;
-- A stuck issue force-released with clear_assignee: in_progress with no
-- assignee (SPEC §4.7 never changes status). The restore must take it.
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
  ('00000000-0000-4000-8000-0000000000e4', '00000000-0000-4000-8000-0000000000c1', 'Stuck', 'todo');
BEGIN;
SELECT paperclip.set_actor_agent('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001');
SELECT status FROM paperclip.checkout('00000000-0000-4000-8000-0000000000e4', '00000000-0000-4000-8000-0000000000a1', '{todo}');
COMMIT;
SELECT status FROM paperclip.admin_force_release('00000000-0000-4000-8000-0000000000e4', true, 'runbook');
SQL
counts() {
    psql -X -At -d "$1" -c "SELECT string_agg(t || '=' || n, ' ' ORDER BY t) FROM (
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
before=$(counts "$src")
pg_dump -Fc -f "$dump" "$src"
createdb "$dst"
pg_restore --exit-on-error -d "$dst" "$dump"
after=$(counts "$dst")
echo "before: $before"
echo "after:  $after"
[ "$before" = "$after" ] || { echo "dump_restore: row counts differ"; exit 1; }
[ "$(psql -X -At -d "$dst" -c "SELECT paperclip.run_status_is_terminal('adapter_failed')")" = t ] ||
    { echo "dump_restore: added terminal status lost"; exit 1; }
stuck="SELECT status || ' ' || coalesce(assignee_agent_id::text, '-') || ' ' || coalesce(checkout_run_id::text, '-') || ' ' || started_at
       FROM paperclip.issues WHERE id = '00000000-0000-4000-8000-0000000000e4'"
[ "$(psql -X -At -d "$src" -c "$stuck")" = "$(psql -X -At -d "$dst" -c "$stuck")" ] &&
    psql -X -At -d "$dst" -c "$stuck" | grep -q '^in_progress - - ' ||
    { echo "dump_restore: the force-released in_progress issue did not come back as it was"; exit 1; }
echo "dump_restore: ok"
