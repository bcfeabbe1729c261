-- Run leases (SPEC §9): paperclip.run_leases and renew_run_lease(run_id, ttl,
-- bind_session). Runs as the bootstrap superuser (a database operator), who
-- writes fixtures directly; agents act in explicit transactions. Expiry is
-- real: a 1-second lease, then a sleep longer than it (never a duration
-- assertion).
\set VERBOSITY verbose

\set company       '00000015-0000-4000-8000-0000000000c1'
\set other_company '00000015-0000-4000-8000-0000000000c2'
\set agent_a       '00000015-0000-4000-8000-0000000000a1'
\set agent_b       '00000015-0000-4000-8000-0000000000a2'
-- runs of A: R (the renewer), R2 (a second live run), F (failed), E (one
-- that lets its lease expire), S (bound to a session that is gone),
-- P (bound to a reused pid), T (turns terminal after renewing); B's run RB.
\set run_r         '00000015-0000-4000-8000-000000000101'
\set run_r2        '00000015-0000-4000-8000-000000000102'
\set run_f         '00000015-0000-4000-8000-000000000103'
\set run_e         '00000015-0000-4000-8000-000000000104'
\set run_s         '00000015-0000-4000-8000-000000000105'
\set run_p         '00000015-0000-4000-8000-000000000106'
\set run_t         '00000015-0000-4000-8000-000000000107'
\set run_rb        '00000015-0000-4000-8000-000000000108'
\set run_missing   '00000015-0000-4000-8000-0000000001ff'

INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES
    (:'company', 'Lease Co', 'LSE');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    (:'agent_a', :'company', 'Codex-Coder 15A'),
    (:'agent_b', :'company', 'Reviewer 15B');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'run_r',  :'company', :'agent_a', 'running'),
    (:'run_r2', :'company', :'agent_a', 'running'),
    (:'run_f',  :'company', :'agent_a', 'failed'),
    (:'run_e',  :'company', :'agent_a', 'running'),
    (:'run_s',  :'company', :'agent_a', 'running'),
    (:'run_p',  :'company', :'agent_a', 'running'),
    (:'run_t',  :'company', :'agent_a', 'queued'),
    (:'run_rb', :'company', :'agent_b', 'running');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
VALUES (:'company', 'user', 'owner@lease.test', 'admin');

CREATE ROLE regress_lease_app LOGIN;
CREATE ROLE regress_lease_reader LOGIN;
GRANT paperclip_app TO regress_lease_app;
GRANT paperclip_reader TO regress_lease_reader;

CREATE TEMP VIEW lease AS
SELECT l.run_id, l.company_id, l.expires_at - l.renewed_at AS ttl, l.expires_at <= now() AS expired,
       l.backend_pid IS NOT NULL AS bound,
       l.backend_pid = pg_backend_pid()
           AND l.backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())
           AS bound_to_this_session
FROM paperclip.run_leases AS l;

-------------------------------------------------------------------------------
-- The table
-------------------------------------------------------------------------------

-- §9: the columns of paperclip.run_leases, in order, with their types.
SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull
FROM pg_attribute WHERE attrelid = 'paperclip.run_leases'::regclass AND attnum > 0
ORDER BY attnum;
-- §9: renew_run_lease's signature and defaults.
SELECT pg_get_function_arguments('paperclip.renew_run_lease'::regproc) AS arguments,
       pg_get_function_result('paperclip.renew_run_lease'::regproc) AS result;

-------------------------------------------------------------------------------
-- Bad arguments: PC400 before anything is read
-------------------------------------------------------------------------------

-- §5: NULL where a value is needed.
SELECT paperclip.renew_run_lease(NULL, '1 minute');
SELECT paperclip.renew_run_lease(:'run_r', NULL);
SELECT paperclip.renew_run_lease(:'run_r', '1 minute', NULL);
-- §9: ttl between 1 second and 1 day; everything else is PC400.
SELECT paperclip.renew_run_lease(:'run_r', '0.999999 seconds');
SELECT paperclip.renew_run_lease(:'run_r', '0');
SELECT paperclip.renew_run_lease(:'run_r', '-1 minute');
SELECT paperclip.renew_run_lease(:'run_r', '1 day 0.000001 seconds');
SELECT paperclip.renew_run_lease(:'run_r', '25 hours');
SELECT paperclip.renew_run_lease(:'run_r', '1 month');
SELECT paperclip.renew_run_lease(:'run_r', '-178000000 years');
-- A bad ttl of an unknown run is still a PC400: arguments are checked first.
SELECT paperclip.renew_run_lease(:'run_missing', '2 days');
-- Nothing was written by any of them.
SELECT count(*) AS leases FROM paperclip.run_leases;

-------------------------------------------------------------------------------
-- Who may renew
-------------------------------------------------------------------------------

-- §3: no actor, from a role that is not an operator: PC403.
SET ROLE regress_lease_app;
SELECT paperclip.renew_run_lease(:'run_r', '1 minute');
RESET ROLE;

-- §9: unknown run: PC404.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT paperclip.renew_run_lease(:'run_missing', '1 minute');
ROLLBACK;

-- §9: another agent's run: PC403.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_b', :'run_rb');
SELECT paperclip.renew_run_lease(:'run_r', '1 minute');
ROLLBACK;

-- §9: the run's own agent acting with a different run of its own: PC403
-- (a run keeps itself alive, not its siblings).
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r2');
SELECT paperclip.renew_run_lease(:'run_r', '1 minute');
ROLLBACK;

-- §9: a board user, even an admin of the company: PC403.
BEGIN;
SELECT paperclip.set_actor_board('owner@lease.test');
SELECT paperclip.renew_run_lease(:'run_r', '1 minute');
ROLLBACK;

-- §9: a terminal run: PC409 Run is not live (its status, before any lease).
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_f');
SELECT paperclip.renew_run_lease(:'run_f', '1 minute');
ROLLBACK;

-- Nothing was written by any of them.
SELECT count(*) AS leases FROM paperclip.run_leases;

-------------------------------------------------------------------------------
-- Renewal
-------------------------------------------------------------------------------

-- §9: the run's own agent renews: the result is the new expiry, the clock
-- plus ttl; the row carries the run's company and no binding.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT clock_timestamp() AS before \gset
SELECT paperclip.renew_run_lease(:'run_r', '1 minute') AS expiry \gset
SELECT :'expiry'::timestamptz >= :'before'::timestamptz + '1 minute' AS after_clock_plus_ttl,
       :'expiry'::timestamptz <= clock_timestamp() + '1 minute' AS not_later_than_now_plus_ttl,
       :'expiry'::timestamptz = (SELECT expires_at FROM paperclip.run_leases WHERE run_id = :'run_r') AS stored;
COMMIT;
SELECT run_id = :'run_r' AS is_r, company_id = :'company' AS own_company, ttl, bound FROM lease;

-- §9: an agent actor without a run id may renew its own agent's run.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a');
SELECT paperclip.renew_run_lease(:'run_r', '90 seconds') IS NOT NULL AS renewed;
COMMIT;
SELECT ttl FROM lease WHERE run_id = :'run_r';

-- §9: a database operator renews; ttl defaults to 2 minutes, and the
-- boundaries 1 second and 1 day are accepted.
SELECT paperclip.renew_run_lease(:'run_r') IS NOT NULL AS renewed;
SELECT ttl FROM lease WHERE run_id = :'run_r';
SELECT paperclip.renew_run_lease(:'run_r', '1 day') IS NOT NULL AS renewed;
SELECT ttl FROM lease WHERE run_id = :'run_r';
SELECT paperclip.renew_run_lease(:'run_r', '1 second') IS NOT NULL AS renewed;
SELECT ttl FROM lease WHERE run_id = :'run_r';
SELECT paperclip.renew_run_lease(:'run_r', '1 hour') IS NOT NULL AS renewed;

-- A renewal writes no audit row (it is a heartbeat, not an ownership change).
SELECT count(*) AS audit_rows FROM paperclip.activity_log WHERE company_id = :'company';

-------------------------------------------------------------------------------
-- Session binding
-------------------------------------------------------------------------------

-- §9: bind_session records this backend's pid and start time.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r2');
SELECT paperclip.renew_run_lease(:'run_r2', '1 hour', true) IS NOT NULL AS renewed;
COMMIT;
SELECT ttl, bound, bound_to_this_session FROM lease WHERE run_id = :'run_r2';
-- Renewing without bind_session keeps the binding (a server may renew a
-- harness's bound lease from its own connection).
SELECT paperclip.renew_run_lease(:'run_r2', '2 hours') IS NOT NULL AS renewed;
SELECT ttl, bound, bound_to_this_session FROM lease WHERE run_id = :'run_r2';

-- §9: a lease bound to a backend that is gone is dead: PC409 Run lease
-- expired, with sessionEnded. S: a pid no backend has; P: this session's
-- pid with another start time (the pid was reused by a later session).
INSERT INTO paperclip.run_leases (run_id, company_id, expires_at, renewed_at, backend_pid, backend_start)
VALUES (:'run_s', :'company', now() + interval '1 hour', now(), 2147483647, now() - interval '1 hour'),
       (:'run_p', :'company', now() + interval '1 hour', now(), pg_backend_pid(), '2000-01-01 00:00:00+00');
SELECT paperclip.renew_run_lease(:'run_s', '1 minute');
SELECT paperclip.renew_run_lease(:'run_p', '1 minute');
-- Binding again does not bring them back.
SELECT paperclip.renew_run_lease(:'run_p', '1 minute', true);

-------------------------------------------------------------------------------
-- Expiry: a run's death is final
-------------------------------------------------------------------------------

-- §9: E renews for 1 second, then nobody renews it for longer than that:
-- PC409 Run lease expired, whoever asks and whatever the ttl.
SELECT paperclip.renew_run_lease(:'run_e', '1 second') IS NOT NULL AS renewed;
SELECT pg_sleep(1.2);
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_e');
SELECT paperclip.renew_run_lease(:'run_e', '1 hour');
ROLLBACK;
SELECT paperclip.renew_run_lease(:'run_e', '1 day', true);
-- The row still holds the expired lease.
SELECT ttl, bound, expired FROM lease WHERE run_id = :'run_e';

-- §9: a run that turned terminal after renewing: PC409 Run is not live
-- (the status decides first, even while the lease is current).
SELECT paperclip.renew_run_lease(:'run_t', '1 hour') IS NOT NULL AS renewed;
UPDATE paperclip.heartbeat_runs SET status = 'succeeded' WHERE id = :'run_t';
SELECT paperclip.renew_run_lease(:'run_t', '1 hour');

-------------------------------------------------------------------------------
-- An ended lease counts as terminal for every rule (SPEC §9)
-------------------------------------------------------------------------------
\set run_z1   '00000015-0000-4000-8000-000000000111'
\set run_z2   '00000015-0000-4000-8000-000000000112'
\set run_z3   '00000015-0000-4000-8000-000000000113'
\set run_z4   '00000015-0000-4000-8000-000000000114'
\set run_z5   '00000015-0000-4000-8000-000000000115'
\set run_zf   '00000015-0000-4000-8000-000000000116'
\set run_live '00000015-0000-4000-8000-000000000117'
\set run_succ '00000015-0000-4000-8000-000000000118'
\set run_sb   '00000015-0000-4000-8000-000000000119'
\set issue_adopt  '00000015-0000-4000-8000-000000000201'
\set issue_gate   '00000015-0000-4000-8000-000000000202'
\set issue_sweep  '00000015-0000-4000-8000-000000000203'
\set issue_clear  '00000015-0000-4000-8000-000000000204'
\set issue_live   '00000015-0000-4000-8000-000000000205'
\set issue_bound  '00000015-0000-4000-8000-000000000206'
\set issue_failed '00000015-0000-4000-8000-000000000207'
\set issue_exec   '00000015-0000-4000-8000-000000000208'

-- Earlier files may have left stale locks; the sweep is global, so drain
-- them first to make the counts below this file's alone.
SELECT paperclip.sweep_stale_locks(100000) >= 0 AS drained;

-- Z1..Z5: A's runs, status running, leases that expired an hour ago (an
-- operator's fixture; the real expiry is proven above). ZF: failed, with an
-- expired lease too. LIVE: a current lease. SUCC: A's successor, no lease
-- (judged by its status). SB: B's run bound to a session that is gone.
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'run_z1', :'company', :'agent_a', 'running'),
    (:'run_z2', :'company', :'agent_a', 'running'),
    (:'run_z3', :'company', :'agent_a', 'running'),
    (:'run_z4', :'company', :'agent_a', 'running'),
    (:'run_z5', :'company', :'agent_a', 'running'),
    (:'run_zf', :'company', :'agent_a', 'failed'),
    (:'run_live', :'company', :'agent_a', 'running'),
    (:'run_succ', :'company', :'agent_a', 'running'),
    (:'run_sb', :'company', :'agent_b', 'running');
INSERT INTO paperclip.run_leases (run_id, company_id, expires_at, renewed_at, backend_pid, backend_start)
SELECT r, :'company', now() - interval '1 hour', now() - interval '2 hours', NULL::int, NULL::timestamptz
FROM unnest(ARRAY[:'run_z1', :'run_z2', :'run_z3', :'run_z4', :'run_z5', :'run_zf']::uuid[]) AS r;
INSERT INTO paperclip.run_leases (run_id, company_id, expires_at, renewed_at, backend_pid, backend_start) VALUES
    (:'run_live', :'company', now() + interval '1 hour', now(), NULL, NULL),
    (:'run_sb', :'company', now() + interval '1 hour', now(), 2147483647, now() - interval '1 hour');
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id,
                              execution_run_id, execution_agent_name_key, execution_locked_at, started_at) VALUES
    (:'issue_adopt',  :'company', 'held by Z1',   'in_progress', :'agent_a', :'run_z1',   :'run_z1',   'codexcoder15a', now(), now()),
    (:'issue_gate',   :'company', 'held by Z2',   'in_progress', :'agent_a', :'run_z2',   :'run_z2',   'codexcoder15a', now(), now()),
    (:'issue_sweep',  :'company', 'held by Z3',   'in_progress', :'agent_a', :'run_z3',   :'run_z3',   'codexcoder15a', now(), now()),
    (:'issue_clear',  :'company', 'held by Z4',   'in_progress', :'agent_a', :'run_z4',   :'run_z4',   'codexcoder15a', now(), now()),
    (:'issue_live',   :'company', 'held by LIVE', 'in_progress', :'agent_a', :'run_live', :'run_live', 'codexcoder15a', now(), now()),
    (:'issue_bound',  :'company', 'held by SB',   'in_progress', :'agent_b', :'run_sb',   :'run_sb',   'reviewer15b',   now(), now()),
    (:'issue_failed', :'company', 'held by ZF',   'in_progress', :'agent_a', :'run_zf',   :'run_zf',   'codexcoder15a', now(), now()),
    (:'issue_exec',   :'company', 'no locks',     'todo',        :'agent_a', NULL,        NULL,        NULL,            NULL,  NULL);

CREATE TEMP VIEW lease_issue AS
SELECT title, status, checkout_run_id IS NOT NULL AS checkout_held, execution_run_id IS NOT NULL AS execution_held,
       (SELECT right(checkout_run_id::text, 3)) AS checkout_run
FROM paperclip.issues WHERE company_id = '00000015-0000-4000-8000-0000000000c1';
CREATE TEMP VIEW lease_audit AS
SELECT a.entity_id, a.action, a.details - 'issueId' - 'previousCheckoutRunId' - 'previousExecutionRunId' AS details
FROM paperclip.activity_log AS a WHERE a.company_id = '00000015-0000-4000-8000-0000000000c1';

-- §9, §4.8: issue_locks shows each holder's lease expiry, and stale counts an
-- expired lease (Z1..Z5, ZF) and a bound session that is gone (SB) -- not a
-- current lease (LIVE).
SELECT i.title, l.checkout_run_lease_expires_at > now() AS checkout_lease_current,
       l.execution_run_lease_expires_at > now() AS execution_lease_current, l.stale
FROM paperclip.issue_locks AS l JOIN paperclip.issues AS i ON i.id = l.issue_id
WHERE l.company_id = :'company' ORDER BY i.title;

-- §9, §6: the ownership gate refuses the zombie's own write with PC409 and
-- "reason": "run_lease_expired"; the details show the locks as the lazy
-- clearing would leave them, and nothing changes.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_z2');
UPDATE paperclip.issues SET title = 'zombie was here' WHERE id = :'issue_gate';
ROLLBACK;
-- Its comment too (the same gate).
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_z2');
INSERT INTO paperclip.issue_comments (company_id, issue_id, author_agent_id, body)
VALUES (:'company', :'issue_gate', :'agent_a', 'still working');
ROLLBACK;
-- And assert_checkout_owner says the same.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_z2');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_gate', :'agent_a', :'run_z2');
ROLLBACK;
SELECT * FROM lease_issue WHERE title = 'held by Z2';

-- §4.3, §9: a checkout naming a run whose lease ended: PC422 checkout run is
-- not live, with the same reason.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_z5');
SELECT id FROM paperclip.checkout(:'issue_exec', :'agent_a', '{todo}', :'run_z5');
ROLLBACK;

-- §4.6: the scheduler never gives an execution lock to such a run: false.
SELECT paperclip.acquire_execution_lock(:'issue_exec', :'run_z5') AS acquired;

-- §4.5, §9: the live successor SUCC of the same assignee adopts Z1's lock
-- (issue.checkout_lock_adopted, previousCheckoutRunId Z1).
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_succ');
SELECT right(checkout_run_id::text, 3) AS checkout_run, right(adopted_from_run_id::text, 3) AS adopted_from
FROM paperclip.assert_checkout_owner(:'issue_adopt', :'agent_a', :'run_succ');
COMMIT;
SELECT action, details->>'reason' AS reason, right(details->>'previousCheckoutRunId', 3) AS previous
FROM paperclip.activity_log WHERE entity_id = :'issue_adopt';

-- §4.2, §9: lazy clearing: clear_checkout_run_if_terminal clears Z4's locks
-- and records issue.stale_lock_cleared with "reason": "run_lease_expired".
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_clear') AS cleared;
SELECT details FROM lease_audit WHERE entity_id = :'issue_clear';

-- §4.8, §9: the sweep clears Z2's and Z3's locks and SB's (its bound session
-- is gone), each with "reason": "run_lease_expired", and ZF's -- whose
-- status is the reason, so no lease reason. LIVE keeps its locks.
SELECT paperclip.sweep_stale_locks() AS cleared;
SELECT i.title, a.details->>'lock' AS lock, a.details->>'previousRunStatus' AS run_status,
       a.details->>'reason' AS reason, a.details->>'source' AS source
FROM paperclip.activity_log AS a JOIN paperclip.issues AS i ON i.id::text = a.entity_id
WHERE a.company_id = :'company' AND a.action = 'issue.stale_lock_cleared' AND a.details->>'source' = 'sweep'
ORDER BY i.title, lock;
SELECT * FROM lease_issue ORDER BY title;
SELECT count(*) AS stale_left FROM paperclip.issue_locks WHERE company_id = :'company' AND stale;

-- §6, §9: a run turning terminal releases what it holds; a second holder of
-- the same issue whose lease ended goes with it (source run_terminal): the
-- execution lock of Z6 with "reason": "run_lease_expired", the checkout of T2
-- with its status as the reason.
\set run_t2 '00000015-0000-4000-8000-00000000011a'
\set run_z6 '00000015-0000-4000-8000-00000000011b'
\set issue_two '00000015-0000-4000-8000-000000000209'
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'run_t2', :'company', :'agent_a', 'running'),
    (:'run_z6', :'company', :'agent_a', 'running');
INSERT INTO paperclip.run_leases (run_id, company_id, expires_at, renewed_at)
VALUES (:'run_z6', :'company', now() - interval '1 hour', now() - interval '2 hours');
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id,
                              execution_run_id, execution_agent_name_key, execution_locked_at, started_at)
VALUES (:'issue_two', :'company', 'held by T2 and Z6', 'in_progress', :'agent_a', :'run_t2', :'run_z6',
        'codexcoder15a', now(), now());
UPDATE paperclip.heartbeat_runs SET status = 'failed' WHERE id = :'run_t2';
SELECT * FROM lease_issue WHERE title = 'held by T2 and Z6';
SELECT details->>'lock' AS lock, right(details->>'previousRunId', 3) AS run, details->>'previousRunStatus' AS run_status,
       details->>'reason' AS reason, details->>'source' AS source
FROM paperclip.activity_log WHERE entity_id = :'issue_two' ORDER BY details->>'lock' DESC;

-- §9: death is final -- the zombies' leases are never renewed again.
SELECT paperclip.renew_run_lease(:'run_z1', '1 hour');

-------------------------------------------------------------------------------
-- Privileges
-------------------------------------------------------------------------------

-- §9: the table changes only through renew_run_lease: the application and
-- readers may read it, not write it; readers may not renew. (PostgreSQL's
-- own errors: no SQLSTATE or source location in the output.)
\set VERBOSITY default
SET ROLE regress_lease_app;
SELECT count(*) > 0 AS app_reads FROM paperclip.run_leases;
UPDATE paperclip.run_leases SET expires_at = now() + '1 day';
DELETE FROM paperclip.run_leases;
RESET ROLE;
SET ROLE regress_lease_reader;
SELECT count(*) > 0 AS reader_reads FROM paperclip.run_leases;
SELECT paperclip.renew_run_lease(:'run_r', '1 minute');
RESET ROLE;
\set VERBOSITY verbose

DROP ROLE regress_lease_app, regress_lease_reader;
