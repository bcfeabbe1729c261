#!/usr/bin/env bash
# pg_cron for real (Debian's postgresql-15-cron): a throwaway cluster with
# shared_preload_libraries = pg_cron and cron.database_name set; the job
#     CALL paperclip.sweep_all_stale_locks(1000)
# scheduled every minute as a login role that is only a member of
# paperclip_operator (cron.schedule_in_database). The test polls, with a
# deadline, until the stale locks are gone -- it never asserts how long that
# took -- then checks that the live locks are untouched, that the job run
# succeeded, and that the audit names the cron role.
#
#   test/pg_cron.sh [--deadline SECONDS]     (default 240; pg_cron fires on
#                                             the minute, so expect up to ~60 s)
# Builds and stages the extension (test/stage.sh) when it is missing. Prints
# "pg_cron: ok" on success.
set -euo pipefail
cd "$(dirname "$0")/.."
DEADLINE=240
[ "${1:-}" = --deadline ] && DEADLINE=$2
. test/stage.sh  # sets STAGE
PKGLIBDIR=$(pg_config --pkglibdir)
DB=pc_cron

if [ -z "${PC_CRON_INSIDE:-}" ]; then
    [ -f /usr/share/postgresql/15/extension/pg_cron.control ] ||
        { echo "pg_cron: postgresql-15-cron is not installed (tools/deps.sh test installs it)"; exit 1; }
    if [ ! -f "$STAGE/usr/share/postgresql/15/extension/paperclip_locks.control" ]; then
        make -s -j2 && make -s install DESTDIR="$STAGE" >/dev/null
    fi
    # Jobs run in background workers: no libpq connection, so no password.
    exec env PC_CRON_INSIDE=1 pg_virtualenv -t -v 15 \
        -o "extension_destdir=$STAGE" \
        -o "dynamic_library_path=$STAGE$PKGLIBDIR:$PKGLIBDIR" \
        -o "shared_preload_libraries=pg_cron" \
        -o "cron.database_name=$DB" \
        -o "cron.use_background_workers=on" \
        -o "max_worker_processes=16" \
        "$0" --deadline "$DEADLINE"
fi

fail() { echo "pg_cron: $*"; exit 1; }
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
createdb "$DB"
q -c "SHOW shared_preload_libraries" | grep -qw pg_cron || fail "pg_cron is not preloaded"

q -q -o /dev/null <<'SQL'
CREATE EXTENSION paperclip_locks;
CREATE EXTENSION pg_cron;
CREATE ROLE pc_cron_sweeper LOGIN;
GRANT paperclip_operator TO pc_cron_sweeper;
\set C  '000000cc-0000-4000-8000-0000000000c1'
\set A  '000000cc-0000-4000-8000-0000000000a1'
\set RL '000000cc-0000-4000-8000-000000000001'
\set RR '000000cc-0000-4000-8000-000000000002'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Cron Co', 'CRN');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha');
-- RL: a run the adapter lost; RR: a live run.
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'RL', :'C', :'A', 'lost_heartbeat'), (:'RR', :'C', :'A', 'running');
-- 2500 issues held by the lost run (more than two batches of 1000), 5 by
-- the live one. Lock columns written directly by the database operator.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id,
                              execution_run_id, execution_agent_name_key, execution_locked_at)
SELECT gen_random_uuid(), :'C', 'Issue ' || n, 'in_progress', :'A',
       CASE WHEN n <= 2500 THEN :'RL' ELSE :'RR' END::uuid,
       CASE WHEN n <= 2500 THEN :'RL' ELSE :'RR' END::uuid, 'alpha', now()
FROM generate_series(1, 2505) AS n;
-- The operator declares the adapter's status terminal: 2500 stale locks.
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('lost_heartbeat', 'pg_cron test');
SQL
stale=$(q -c "SELECT count(*) FROM paperclip.issue_locks WHERE stale")
[ "$stale" = 2500 ] || fail "expected 2500 stale locks before the job, saw $stale"

job=$(q -c "SELECT cron.schedule_in_database('paperclip-sweep', '* * * * *',
                'CALL paperclip.sweep_all_stale_locks(1000)', '$DB', 'pc_cron_sweeper')")
echo "scheduled job $job: CALL paperclip.sweep_all_stale_locks(1000) every minute as pc_cron_sweeper"

start=$SECONDS
while :; do
    stale=$(q -c "SELECT count(*) FROM paperclip.issue_locks WHERE stale")
    [ "$stale" = 0 ] && break
    failed=$(q -c "SELECT string_agg(return_message, '; ') FROM cron.job_run_details
                   WHERE jobid = $job AND status = 'failed'")
    [ -z "$failed" ] || fail "the job failed: $failed"
    [ $((SECONDS - start)) -lt "$DEADLINE" ] ||
        fail "stale locks still $stale after the ${DEADLINE} s deadline; runs: $(q -c "SELECT string_agg(status, ',') FROM cron.job_run_details WHERE jobid = $job")"
    sleep 1
done
q -q -c "SELECT cron.unschedule($job)" >/dev/null
echo "stale locks cleared by the job"

live=$(q -c "SELECT count(*) FROM paperclip.issues WHERE checkout_run_id = '000000cc-0000-4000-8000-000000000002'
                                                AND execution_run_id = '000000cc-0000-4000-8000-000000000002'")
[ "$live" = 5 ] || fail "the live run holds $live locks after the sweep, not 5"
held=$(q -c "SELECT count(*) FROM paperclip.issues WHERE checkout_run_id = '000000cc-0000-4000-8000-000000000001'
                                                OR execution_run_id = '000000cc-0000-4000-8000-000000000001'")
[ "$held" = 0 ] || fail "the lost run still holds $held locks"
ok=$(q -c "SELECT count(*) FROM cron.job_run_details WHERE jobid = $job AND status = 'succeeded'
                                                        AND command = 'CALL paperclip.sweep_all_stale_locks(1000)'")
[ "$ok" -ge 1 ] || fail "no succeeded run in cron.job_run_details"
audit=$(q -c "SELECT actor_type || ' ' || actor_id || ' ' || count(*) FROM paperclip.activity_log
              WHERE action = 'issue.stale_lock_cleared' GROUP BY actor_type, actor_id")
echo "audit: $audit"
[ "$(wc -l <<<"$audit")" = 1 ] && [[ "$audit" == *" pc_cron_sweeper 2500" ]] ||
    fail "expected 2500 issue.stale_lock_cleared audit rows by pc_cron_sweeper"
q -q -c "DROP EXTENSION pg_cron" -c "DROP EXTENSION paperclip_locks"
echo "5 live locks kept, job run succeeded"
echo "pg_cron: ok"
