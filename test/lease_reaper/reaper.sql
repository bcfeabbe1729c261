-- The lease reaper (SPEC §9), in a cluster started with paperclip_locks in
-- shared_preload_libraries, paperclip.lease_reaper_databases = 'postgres'
-- (test/lease_reaper.sh). Runs as the bootstrap superuser (a database
-- operator), who writes fixtures directly. Every check polls with a
-- deadline; none asserts a duration.
\set company '0000001f-0000-4000-8000-0000000000c1'
\set agent   '0000001f-0000-4000-8000-0000000000a1'

-- Registered at server start, one worker for the watched database; it
-- waits for the extension to be created there.
CALL public.wait_for('a reaper worker runs for database postgres',
    $$EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'paperclip lease reaper' AND datname = 'postgres')$$,
    '30 s');
CALL public.record('paperclip.lease_reaper_interval defaults to 1s',
    $$current_setting('paperclip.lease_reaper_interval') = '1s'$$);

CREATE EXTENSION paperclip_locks;
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'company', 'Reaper Co', 'RPR');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'agent', :'company', 'Reaped Agent');

-- Fixtures: fixture(run, status, n issues) makes a run and n in_progress
-- issues whose four lock columns name it.
CREATE FUNCTION public.fixture(run uuid, run_status text, issues int) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status)
    VALUES (run, '0000001f-0000-4000-8000-0000000000c1', '0000001f-0000-4000-8000-0000000000a1', run_status);
    INSERT INTO paperclip.issues (company_id, title, status, assignee_agent_id, checkout_run_id,
                                  execution_run_id, execution_agent_name_key, execution_locked_at, started_at)
    SELECT '0000001f-0000-4000-8000-0000000000c1', 'held by ' || run, 'in_progress',
           '0000001f-0000-4000-8000-0000000000a1', run, run, 'reapedagent', now(), now()
    FROM generate_series(1, issues);
$$;
CREATE FUNCTION public.locked_by(run uuid) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM paperclip.issues WHERE checkout_run_id = run OR execution_run_id = run $$;
CREATE FUNCTION public.reaper_pid() RETURNS int LANGUAGE sql AS $$
    SELECT pid FROM pg_stat_activity WHERE backend_type = 'paperclip lease reaper' AND datname = 'postgres' $$;

-------------------------------------------------------------------------------
-- A run an operator declares terminal by adding its status (no UPDATE of the
-- run, so no trigger releases anything): the reaper's sweep releases it.
-------------------------------------------------------------------------------
\set run_v '0000001f-0000-4000-8000-000000000101'
SELECT public.fixture(:'run_v', 'vanished', 3);
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('vanished', 'reaper test');
CALL public.wait_for('the reaper releases the locks of a run that became terminal',
    $$public.locked_by('0000001f-0000-4000-8000-000000000101') = 0$$, '15 s');
CALL public.record('each release is recorded as issue.stale_lock_cleared by source lease_reaper',
    $$(SELECT count(*) = 3 AND bool_and(details->>'source' = 'lease_reaper')
       FROM paperclip.activity_log
       WHERE action = 'issue.stale_lock_cleared' AND details->>'previousRunId' = '0000001f-0000-4000-8000-000000000101')$$);
CALL public.record('the issues stay in_progress with their assignee (only locks are released)',
    $$(SELECT bool_and(status = 'in_progress' AND assignee_agent_id IS NOT NULL)
       FROM paperclip.issues WHERE title = 'held by 0000001f-0000-4000-8000-000000000101')$$);

-------------------------------------------------------------------------------
-- Leases (SPEC §9): a lease that expires and a bound session that ends lose
-- their run's locks without anyone calling anything; a current lease keeps them.
-------------------------------------------------------------------------------
\set run_x '0000001f-0000-4000-8000-000000000111'
\set run_k '0000001f-0000-4000-8000-000000000112'
\set run_l '0000001f-0000-4000-8000-000000000113'
SELECT public.fixture(:'run_x', 'running', 2);
SELECT public.fixture(:'run_k', 'running', 1);
SELECT public.fixture(:'run_l', 'running', 1);
SELECT paperclip.renew_run_lease(:'run_l', '1 hour') IS NOT NULL AS renewed_l;
SELECT paperclip.renew_run_lease(:'run_x', '1 second') IS NOT NULL AS renewed_x;
CALL public.wait_for('the reaper releases the locks of a run whose 1-second lease expired',
    format($$public.locked_by(%L) = 0$$, :'run_x'), '15 s');
CALL public.record('recorded with reason run_lease_expired, source lease_reaper',
    format($$(SELECT count(*) = 2 AND bool_and(details->>'reason' = 'run_lease_expired'
                                              AND details->>'source' = 'lease_reaper')
              FROM paperclip.activity_log
              WHERE action = 'issue.stale_lock_cleared' AND details->>'previousRunId' = %L)$$, :'run_x'));
-- A harness binds K's lease to its own session, then its connection ends.
\! psql -X -q -d postgres -c "SELECT paperclip.renew_run_lease('0000001f-0000-4000-8000-000000000112', '1 hour', true)" >/dev/null
CALL public.wait_for('the reaper releases the locks of a run whose bound session ended',
    format($$public.locked_by(%L) = 0$$, :'run_k'), '15 s');
CALL public.record('K''s lease had not expired: its session ending was the reason',
    format($$(SELECT expires_at > now() AND backend_pid IS NOT NULL FROM paperclip.run_leases WHERE run_id = %L)
             AND (SELECT bool_and(details->>'reason' = 'run_lease_expired') FROM paperclip.activity_log
                  WHERE action = 'issue.stale_lock_cleared' AND details->>'previousRunId' = %L)$$, :'run_k', :'run_k'));
CALL public.record('a current lease keeps its locks', format($$public.locked_by(%L) = 1$$, :'run_l'));

-------------------------------------------------------------------------------
-- Bounded batches: the cluster runs with paperclip.lease_reaper_batch_size
-- = 2, so 5 issues take at least three transactions, none clearing more than 2.
-------------------------------------------------------------------------------
\set run_b '0000001f-0000-4000-8000-000000000102'
SELECT public.fixture(:'run_b', 'vanished_batch', 5);
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('vanished_batch', 'reaper test');
CALL public.wait_for('the reaper releases all 5 issues',
    $$public.locked_by('0000001f-0000-4000-8000-000000000102') = 0$$, '15 s');
CALL public.record('no transaction of the reaper released more than 2 issues',
    $$(SELECT max(n) <= 2 AND sum(n) = 5 FROM (
          SELECT count(DISTINCT entity_id) AS n FROM paperclip.activity_log
          WHERE action = 'issue.stale_lock_cleared' AND details->>'previousRunId' = '0000001f-0000-4000-8000-000000000102'
          GROUP BY xmin::text) AS per_transaction)$$);

-------------------------------------------------------------------------------
-- SKIP LOCKED: an issue row another session holds is skipped, not waited
-- for; the others are released meanwhile, and the held one afterwards.
-------------------------------------------------------------------------------
\set run_s '0000001f-0000-4000-8000-000000000103'
SELECT public.fixture(:'run_s', 'vanished_skip', 2);
SELECT id AS held_issue FROM paperclip.issues WHERE checkout_run_id = :'run_s' ORDER BY id LIMIT 1 \gset
SELECT pg_advisory_lock(4242);
\! psql -X -q -d postgres -c "BEGIN; SELECT 1 FROM paperclip.issues WHERE id = '$(psql -X -At -d postgres -c "SELECT id FROM paperclip.issues WHERE checkout_run_id = '0000001f-0000-4000-8000-000000000103' ORDER BY id LIMIT 1")' FOR UPDATE; SELECT pg_advisory_lock(4242); COMMIT;" >/dev/null 2>&1 &
CALL public.wait_for('another session holds one issue row (and waits on an advisory lock)',
    $$EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted)$$, '10 s');
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('vanished_skip', 'reaper test');
CALL public.wait_for('the reaper releases the issue nobody holds',
    format($$public.locked_by(%L) = 1$$, :'run_s'), '15 s');
CALL public.record('the held issue keeps its locks and the reaper waits for no lock',
    format($$(SELECT checkout_run_id IS NOT NULL FROM paperclip.issues WHERE id = %L)
             AND NOT EXISTS (SELECT 1 FROM pg_locks WHERE pid = public.reaper_pid() AND NOT granted)$$, :'held_issue'));
SELECT pg_advisory_unlock(4242);
CALL public.wait_for('the held issue is released once its holder commits',
    format($$public.locked_by(%L) = 0$$, :'run_s'), '15 s');

-------------------------------------------------------------------------------
-- Errors: a pass that fails is logged and rolled back; the worker carries on.
-- An application trigger fails every write the reaper makes (it counts its
-- hits in a sequence, which a rollback does not undo).
-------------------------------------------------------------------------------
\set run_e '0000001f-0000-4000-8000-000000000104'
SELECT public.reaper_pid() AS pid_before \gset
CREATE SEQUENCE public.trap_hits;
-- The trap fires for the reaper's backend only. (It runs as the extension's
-- owner role, which may not read the reaper's row in pg_stat_activity: the
-- pid is looked up here, by the superuser.)
CREATE TABLE public.trap_target AS SELECT public.reaper_pid() AS pid;
GRANT SELECT ON public.trap_target TO PUBLIC;
CREATE FUNCTION public.trap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_backend_pid() = (SELECT pid FROM public.trap_target) THEN
        PERFORM nextval('public.trap_hits');
        RAISE EXCEPTION 'trap: this write of the reaper fails';
    END IF;
    RETURN NEW;
END $$;
GRANT USAGE ON SEQUENCE public.trap_hits TO PUBLIC;
CREATE TRIGGER trap BEFORE UPDATE ON paperclip.issues FOR EACH ROW EXECUTE FUNCTION public.trap();
SELECT public.fixture(:'run_e', 'vanished_error', 1);
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('vanished_error', 'reaper test');
CALL public.wait_for('the reaper hits the error on two passes (it survived the first)',
    $$(SELECT last_value >= 2 AND is_called FROM public.trap_hits)$$, '15 s');
CALL public.record('the failed passes changed nothing', format($$public.locked_by(%L) = 1$$, :'run_e'));
DROP TRIGGER trap ON paperclip.issues;
CALL public.wait_for('with the fault gone, the same worker releases the lock',
    format($$public.locked_by(%L) = 0$$, :'run_e'), '15 s');
CALL public.record('the worker never restarted (same pid)', format($$public.reaper_pid() = %s$$, :pid_before));

-------------------------------------------------------------------------------
-- SIGTERM stops the worker; the postmaster starts it again later.
-------------------------------------------------------------------------------
SELECT pg_terminate_backend(:pid_before, 10000) AS terminated;
CALL public.record('SIGTERM stops the reaper',
    format($$NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)$$, :pid_before));
CALL public.wait_for('the postmaster restarts it',
    format($$public.reaper_pid() IS NOT NULL AND public.reaper_pid() <> %s$$, :pid_before), '30 s');
