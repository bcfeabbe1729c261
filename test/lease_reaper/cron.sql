-- Without preloading, the sweep releases what the reaper would (SPEC §9):
-- a cluster with pg_cron (Debian's postgresql-15-cron) preloaded and
-- paperclip_locks not, pg_cron scheduling paperclip.sweep_all_stale_locks
-- every minute (pg_cron 1.4's finest schedule) in a background worker.
-- Runs as the bootstrap superuser (a database operator).
\set company '0000002f-0000-4000-8000-0000000000c1'
\set agent   '0000002f-0000-4000-8000-0000000000a1'
\set run_v   '0000002f-0000-4000-8000-000000000101'

CREATE EXTENSION pg_cron;
CREATE EXTENSION paperclip_locks;
CALL public.record('paperclip_locks is not preloaded: no reaper worker runs',
    $$NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'paperclip lease reaper')
      AND current_setting('shared_preload_libraries') = 'pg_cron'$$);

INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'company', 'Cron Co', 'CRN');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'agent', :'company', 'Cron Agent');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'run_v', :'company', :'agent', 'vanished');
INSERT INTO paperclip.issues (company_id, title, status, assignee_agent_id, checkout_run_id,
                              execution_run_id, execution_agent_name_key, execution_locked_at, started_at)
SELECT :'company', 'held by V ' || g, 'in_progress', :'agent', :'run_v', :'run_v', 'cronagent', now(), now()
FROM generate_series(1, 3) AS g;
-- The operator declares V's status terminal: no trigger fires, only a sweep releases.
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('vanished', 'cron test');
-- X renews a 1-second lease and then nothing more (SPEC §9).
\set run_x '0000002f-0000-4000-8000-000000000102'
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'run_x', :'company', :'agent', 'running');
INSERT INTO paperclip.issues (company_id, title, status, assignee_agent_id, checkout_run_id,
                              execution_run_id, execution_agent_name_key, execution_locked_at, started_at)
VALUES (:'company', 'held by X', 'in_progress', :'agent', :'run_x', :'run_x', 'cronagent', now(), now());
SELECT paperclip.renew_run_lease(:'run_x', '1 second') IS NOT NULL AS renewed;

SELECT cron.schedule('paperclip-sweep', '* * * * *', 'CALL paperclip.sweep_all_stale_locks(100)') > 0 AS scheduled;
CALL public.wait_for('the scheduled sweep releases the locks of the terminal run',
    $$NOT EXISTS (SELECT 1 FROM paperclip.issues
                  WHERE checkout_run_id = '0000002f-0000-4000-8000-000000000101'
                     OR execution_run_id = '0000002f-0000-4000-8000-000000000101')$$, '150 s');
CALL public.record('each release is recorded as issue.stale_lock_cleared by source sweep',
    $$(SELECT count(*) = 3 AND bool_and(details->>'source' = 'sweep')
       FROM paperclip.activity_log
       WHERE action = 'issue.stale_lock_cleared' AND details->>'previousRunId' = '0000002f-0000-4000-8000-000000000101')$$);
CALL public.wait_for('the scheduled sweep releases the locks of the run whose lease expired',
    $$NOT EXISTS (SELECT 1 FROM paperclip.issues WHERE checkout_run_id = '0000002f-0000-4000-8000-000000000102')
      AND EXISTS (SELECT 1 FROM paperclip.activity_log
                  WHERE action = 'issue.stale_lock_cleared' AND details->>'reason' = 'run_lease_expired'
                    AND details->>'source' = 'sweep'
                    AND details->>'previousRunId' = '0000002f-0000-4000-8000-000000000102')$$, '90 s');
CALL public.wait_for('pg_cron records the job run as succeeded',
    $$EXISTS (SELECT 1 FROM cron.job_run_details d JOIN cron.job j USING (jobid)
              WHERE j.jobname = 'paperclip-sweep' AND d.status = 'succeeded')$$, '30 s');
