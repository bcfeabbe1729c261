#!/usr/bin/env bash
# usage: test/attach/dump_restore.sh TEMPLATE_DB
# pg_dump / pg_restore of a database attached in compat mode (SPEC §8): the
# attachment record, the triggers and the indexes attach() created come back,
# every application row is identical, and detach() on the restored database
# takes them off again. Prints "attach_dump_restore ... ok" or "... FAILED".
set -uo pipefail
template=$1
src=pc_attach_dump_src_$$
dst=pc_attach_dump_dst_$$
dump=$(mktemp)
trap 'rm -f "$dump"; dropdb --if-exists "$src" 2>/dev/null; dropdb --if-exists "$dst" 2>/dev/null' EXIT
fail() { echo "attach_dump_restore: $*"; echo "test attach_dump_restore ... FAILED"; exit 1; }
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$@"; }

createdb -T "$template" "$src" || fail "createdb"
q "$src" >/dev/null <<'SQL' || fail "setup"
INSERT INTO companies (id, name, issue_prefix) VALUES ('00000000-0000-4000-8000-0000000000c1', 'Acme', 'ACM');
INSERT INTO agents (id, company_id, name) VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 'CodexCoder');
INSERT INTO heartbeat_runs (id, company_id, agent_id, status) VALUES
    ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a1', 'running');
INSERT INTO issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id)
    VALUES ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000c1', 'Held', 'in_progress',
            '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001');
INSERT INTO activity_log (company_id, actor_id, action, entity_type, entity_id)
    VALUES ('00000000-0000-4000-8000-0000000000c1', 'board-user', 'issue.created', 'issue', '00000000-0000-4000-8000-0000000000e1');
CREATE EXTENSION paperclip_locks_attach;
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('adapter_failed', 'added by operator');
SELECT paperclip.attach('public', 'compat', run_lease_column => 'controller_lease_expires_at');
SQL
state() {
    q "$1" -c "
      SELECT (SELECT string_agg(x::text, ';' ORDER BY x::text) FROM (
                SELECT target_schema, mode, release_on_run_end, run_lease_column, created_indexes FROM paperclip.attachment) x)
          || ' | ' || (SELECT string_agg(tgrelid::regclass || '.' || tgname, ',' ORDER BY tgrelid::regclass::text, tgname) FROM pg_trigger WHERE tgname LIKE 'paperclip_locks_%')
          || ' | ' || (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname LIKE 'paperclip_locks_%')
          || ' | ' || (SELECT string_agg(status, ',' ORDER BY status) FROM paperclip.terminal_run_statuses)"
}
rows() {
    q "$1" -c "
      SELECT md5(string_agg(h, ',' ORDER BY h)) FROM (
        SELECT md5(x::text) h FROM companies x UNION ALL SELECT md5(x::text) FROM company_memberships x UNION ALL
        SELECT md5(x::text) FROM agents x UNION ALL SELECT md5(x::text) FROM heartbeat_runs x UNION ALL
        SELECT md5(x::text) FROM issues x UNION ALL SELECT md5(x::text) FROM issue_relations x UNION ALL
        SELECT md5(x::text) FROM issue_comments x UNION ALL SELECT md5(x::text) FROM activity_log x) s"
}
before_state=$(state "$src"); before_rows=$(rows "$src")
pg_dump -Fc -f "$dump" "$src" || fail "pg_dump"
createdb -T template0 "$dst" || fail "createdb"
pg_restore --exit-on-error -d "$dst" "$dump" 2>&1 || fail "pg_restore"
after_state=$(state "$dst"); after_rows=$(rows "$dst")
echo "before: $before_state"
echo "after:  $after_state"
[ -n "$before_state" ] && [ "$before_state" = "$after_state" ] || fail "attachment, triggers or indexes differ"
[ "$before_rows" = "$after_rows" ] || fail "application rows differ"
q "$dst" -c "SELECT paperclip.detach()" >/dev/null || fail "detach after restore"
[ "$(q "$dst" -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'paperclip_locks_%'")" = 0 ] || fail "triggers left after detach"
[ "$(q "$dst" -c "SELECT count(*) FROM pg_class WHERE relname LIKE 'paperclip_locks_%'")" = 0 ] || fail "indexes left after detach"
[ "$(rows "$dst")" = "$before_rows" ] || fail "application rows changed by detach"
echo "test attach_dump_restore ... ok"
