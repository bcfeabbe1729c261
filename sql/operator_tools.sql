-- The operator's toolkit (SPEC §4.8): the view paperclip.issue_locks and
-- sweep_stale_locks / sweep_all_stale_locks, which clear the locks of
-- terminal or missing runs in short batches and record each clearing.
--
-- Not shown here: a row another session holds is skipped (FOR UPDATE SKIP
-- LOCKED), not waited for. That needs two sessions; it belongs in the
-- isolation suite (specs/), not in a single-session regression file.
\set VERBOSITY verbose

\set company    '0000000c-0000-4000-8000-0000000000c1'
\set agent      '0000000c-0000-4000-8000-0000000000a1'
-- runs that hold (live): running, and an unknown status
\set r_live     '0000000c-0000-4000-8000-000000000101'
\set r_live2    '0000000c-0000-4000-8000-000000000102'
\set r_live3    '0000000c-0000-4000-8000-000000000103'
\set r_retry    '0000000c-0000-4000-8000-000000000104'
-- runs that hold nothing (terminal)
\set r_failed   '0000000c-0000-4000-8000-000000000111'
\set r_failed2  '0000000c-0000-4000-8000-000000000112'
\set r_timed    '0000000c-0000-4000-8000-000000000113'
\set r_cancel   '0000000c-0000-4000-8000-000000000114'
\set r_interr   '0000000c-0000-4000-8000-000000000115'
\set r_success  '0000000c-0000-4000-8000-000000000116'
\set r_timed2   '0000000c-0000-4000-8000-000000000117'
-- a status only the operator declares terminal, and a run that will vanish
\set r_adapter  '0000000c-0000-4000-8000-000000000118'
\set r_gone     '0000000c-0000-4000-8000-000000000119'

CREATE ROLE regress_pc_ot_operator LOGIN;
GRANT paperclip_operator TO regress_pc_ot_operator;
CREATE ROLE regress_pc_ot_app LOGIN;
GRANT paperclip_app TO regress_pc_ot_app;
CREATE ROLE regress_pc_ot_reader LOGIN;
GRANT paperclip_reader TO regress_pc_ot_reader;

-- The view's columns (SPEC §4.8).
\d paperclip.issue_locks

-- Earlier files may have left stale locks of their own; the sweep is global,
-- so drain them first to make the counts below this file's alone.
DO $$
BEGIN
    WHILE paperclip.sweep_stale_locks(100000) > 0 LOOP
    END LOOP;
END
$$;

-- Fixtures, written by the bootstrap superuser with no actor (a database
-- operator may set lock columns directly, SPEC §6).
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES
    (:'company', 'Operator Tools Co', 'OPT');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    (:'agent', :'company', 'CodexCoder');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status)
SELECT r.id::uuid, :'company', :'agent', r.status
FROM (VALUES (:'r_live', 'running'), (:'r_live2', 'running'), (:'r_live3', 'running'),
             (:'r_retry', 'scheduled_retry'),
             (:'r_failed', 'failed'), (:'r_failed2', 'failed'), (:'r_timed', 'timed_out'),
             (:'r_cancel', 'cancelled'), (:'r_interr', 'interrupted'),
             (:'r_success', 'succeeded'), (:'r_timed2', 'timed_out'),
             (:'r_adapter', 'adapter_failed'), (:'r_gone', 'running')) AS r(id, status);

-- One issue per case; the title says what its locks are.
INSERT INTO paperclip.issues
    (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id,
     execution_agent_name_key, execution_locked_at, started_at)
SELECT ('0000000c-0000-4000-8000-0000000000' || f.n)::uuid, :'company', f.title, f.status,
       CASE WHEN f.status = 'in_progress' THEN :'agent'::uuid END,
       f.checkout::uuid, f.execution::uuid,
       CASE WHEN f.execution IS NOT NULL THEN 'codexcoder' END,
       CASE WHEN f.execution IS NOT NULL THEN now() END,
       CASE WHEN f.status = 'in_progress' THEN now() END
FROM (VALUES
    ('e1', 'live: both locks held by a running run', 'in_progress', :'r_live', :'r_live'),
    ('e2', 'stale: both locks held by a failed run', 'in_progress', :'r_failed', :'r_failed'),
    ('e3', 'checkout failed, execution held by another live run', 'in_progress', :'r_failed2', :'r_live2'),
    ('e4', 'execution lock only, run timed out', 'todo', NULL, :'r_timed'),
    ('e5', 'live checkout, cancelled execution run', 'in_progress', :'r_live3', :'r_cancel'),
    ('e6', 'run in adapter_failed (not terminal yet)', 'in_progress', :'r_adapter', :'r_adapter'),
    ('e7', 'run row about to vanish', 'in_progress', :'r_gone', :'r_gone'),
    ('e8', 'live: unknown run status scheduled_retry holds', 'in_progress', :'r_retry', :'r_retry'),
    ('e9', 'checkout only, run interrupted', 'in_progress', :'r_interr', NULL),
    ('ea', 'checkout succeeded, execution timed out (two runs)', 'in_progress', :'r_success', :'r_timed2'),
    ('eb', 'no lock at all', 'todo', NULL, NULL)
) AS f(n, title, status, checkout, execution);

-- A missing run counts as terminal (SPEC §2). The foreign key (ON DELETE SET
-- NULL) normally clears the columns when a run row is deleted; with triggers
-- disabled -- as a restore or a replica apply may run -- the reference dangles.
SET session_replication_role = replica;
DELETE FROM paperclip.heartbeat_runs WHERE id = :'r_gone';
RESET session_replication_role;

-- issue_locks: one row per issue holding a lock (eb holds none). stale is true
-- when a holder run is terminal or missing; unknown statuses hold.
SELECT right(issue_id::text, 2) AS issue, status, right(checkout_run_id::text, 3) AS checkout,
       checkout_run_status, right(execution_run_id::text, 3) AS execution, execution_run_status,
       locked_for IS NOT NULL AS has_locked_for, stale
FROM paperclip.issue_locks WHERE company_id = :'company' ORDER BY issue_id;

-- An operator adds a terminal status without rebuilding (SPEC §2): the lock of
-- the adapter_failed run turns stale from the next transaction on.
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('adapter_failed', 'regress: operator_tools');
SELECT right(issue_id::text, 2) AS issue, checkout_run_status, execution_run_status, stale
FROM paperclip.issue_locks WHERE issue_id = '0000000c-0000-4000-8000-0000000000e6';

-- Readers see the view too.
SET ROLE regress_pc_ot_reader;
SELECT count(*) AS locked, count(*) FILTER (WHERE stale) AS stale
FROM paperclip.issue_locks WHERE company_id = :'company';
RESET ROLE;

-- Every lock lookup is an index lookup (SPEC §1): issue_locks reads issues
-- through the partial indexes issues_checkout_run_idx / issues_execution_run_idx,
-- never by a Seq Scan on issues. enable_seqscan is off only because these
-- tables are tiny: on a few pages the planner rightly prefers a sequential
-- scan; on a large table with few locked issues it picks the indexes by itself.
-- Only the part of the plan that reads issues is shown: how the two run rows
-- are joined (nested loop, memoize, hash) depends on how many rows earlier
-- files left, and is not what this case is about.
CREATE FUNCTION pg_temp.issues_scan_of(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    base int;  -- indentation of the plan node that reads issues, once found
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF base IS NULL AND line ~ ' on issues i$' THEN
            base := length(line) - length(ltrim(line));
            RETURN NEXT regexp_replace(line, '^\s*(->\s+)?', '');
        ELSIF base IS NOT NULL THEN
            EXIT WHEN length(line) - length(ltrim(line)) <= base;
            RETURN NEXT substr(line, base + 5);
        END IF;
    END LOOP;
END
$$;
ANALYZE paperclip.issues;
ANALYZE paperclip.heartbeat_runs;
SET enable_seqscan = off;
SELECT * FROM pg_temp.issues_scan_of('SELECT * FROM paperclip.issue_locks') AS plan;
SELECT count(*) AS seq_scans_on_issues
FROM pg_temp.issues_scan_of('SELECT * FROM paperclip.issue_locks') AS plan
WHERE plan ~ 'Seq Scan';
RESET enable_seqscan;

-- batch_size must be a positive integer: 400 (SPEC §5).
SELECT paperclip.sweep_stale_locks(0);
SELECT paperclip.sweep_stale_locks(-1);
SELECT paperclip.sweep_stale_locks(NULL);

-- The sweep is the database operator's: a board or agent actor is refused
-- with 403, even in an operator's session (the actor decides, SPEC §3).
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT paperclip.sweep_stale_locks(10);
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'agent', :'r_live');
SELECT paperclip.sweep_stale_locks(10);
ROLLBACK;
-- A role that was granted EXECUTE but not the operator privilege: 403 too.
CREATE ROLE regress_pc_ot_other LOGIN;
GRANT USAGE ON SCHEMA paperclip TO regress_pc_ot_other;
GRANT EXECUTE ON FUNCTION paperclip.sweep_stale_locks(integer) TO regress_pc_ot_other;
SET ROLE regress_pc_ot_other;
SELECT paperclip.sweep_stale_locks(10);
RESET ROLE;
-- The application role has no EXECUTE at all: PostgreSQL's own 42501 (shown
-- with default verbosity: its errors carry a version-dependent location).
\set VERBOSITY default
SET ROLE regress_pc_ot_app;
SELECT paperclip.sweep_stale_locks(10);
\echo :LAST_ERROR_SQLSTATE
CALL paperclip.sweep_all_stale_locks();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
\set VERBOSITY verbose
-- None of the refused calls cleared anything.
SELECT count(*) FILTER (WHERE stale) AS stale FROM paperclip.issue_locks WHERE company_id = :'company';

-- Batches: seven issues have something to clear (e2, e4, e5, e6, e7, e9, ea);
-- two per call, then 0 tells the caller to stop. The issue with a failed
-- checkout run but a different live execution run (e3) is not cleared: a
-- checkout is never cleared while another live run holds the execution lock
-- (SPEC §4.2).
SET ROLE regress_pc_ot_operator;
SELECT paperclip.sweep_stale_locks(2) AS cleared;
SELECT paperclip.sweep_stale_locks(2) AS cleared;
SELECT paperclip.sweep_stale_locks(2) AS cleared;
SELECT paperclip.sweep_stale_locks(2) AS cleared;
SELECT paperclip.sweep_stale_locks(2) AS cleared;
RESET ROLE;

-- What is left: only live locks; e3 still shows stale (its checkout run
-- failed) but is not the sweep's to clear. e5 keeps its live checkout.
SELECT right(issue_id::text, 2) AS issue, right(checkout_run_id::text, 3) AS checkout,
       checkout_run_status, right(execution_run_id::text, 3) AS execution, execution_run_status,
       stale
FROM paperclip.issue_locks WHERE company_id = :'company' ORDER BY issue_id;
-- The issues: only lock columns changed; status and assignee are kept, and a
-- cleared execution lock takes its name key and timestamp with it.
SELECT right(id::text, 2) AS issue, status, assignee_agent_id IS NOT NULL AS assigned,
       right(checkout_run_id::text, 3) AS checkout, right(execution_run_id::text, 3) AS execution,
       execution_agent_name_key, execution_locked_at IS NOT NULL AS execution_locked
FROM paperclip.issues WHERE company_id = :'company' ORDER BY id;
-- One audit row per clearing (ea had two stale runs), by the operator's role.
SELECT right(entity_id, 2) AS issue, action, actor_type, actor_id, details->>'lock' AS lock,
       right(details->>'previousRunId', 3) AS previous_run,
       details->>'previousRunStatus' AS previous_run_status, details->>'source' AS source
FROM paperclip.activity_log WHERE company_id = :'company' ORDER BY entity_id, details->>'lock';
SELECT details FROM paperclip.activity_log
WHERE entity_id = '0000000c-0000-4000-8000-0000000000ea' ORDER BY details->>'lock';

-- sweep_all_stale_locks drains every batch, committing after each. It cannot
-- commit inside a transaction block: there it fails and clears nothing.
INSERT INTO paperclip.issues
    (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id,
     execution_agent_name_key, execution_locked_at, started_at)
SELECT ('0000000c-0000-4000-8000-0000000000' || n)::uuid, :'company', 'stale again', 'in_progress',
       :'agent', :'r_failed', :'r_failed', 'codexcoder', now(), now()
FROM unnest(ARRAY['f1', 'f2', 'f3']) AS n;
\set VERBOSITY default
BEGIN;
CALL paperclip.sweep_all_stale_locks(2);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
\set VERBOSITY verbose
SELECT count(*) FILTER (WHERE stale) AS stale FROM paperclip.issue_locks WHERE company_id = :'company';
SET ROLE regress_pc_ot_operator;
-- A bad batch size fails before anything is cleared.
CALL paperclip.sweep_all_stale_locks(0);
SELECT count(*) FILTER (WHERE stale) AS stale FROM paperclip.issue_locks WHERE company_id = :'company';
-- Outside a transaction block (psql's autocommit) it reports the total, and
-- a second call finds nothing left.
CALL paperclip.sweep_all_stale_locks(2);
CALL paperclip.sweep_all_stale_locks();
RESET ROLE;
SELECT right(issue_id::text, 2) AS issue, stale
FROM paperclip.issue_locks WHERE company_id = :'company' ORDER BY issue_id;
SELECT count(*) AS audit_rows FROM paperclip.activity_log
WHERE company_id = :'company' AND right(entity_id, 2) IN ('f1', 'f2', 'f3')
  AND action = 'issue.stale_lock_cleared' AND details->>'source' = 'sweep';

-- The sweep walks the issues by id (keyset, SPEC §4.8): a batch resumes after
-- the last issue the previous batch of this session took, so no batch reads
-- again what earlier ones passed over; when the candidates after that point
-- run out, the batch wraps around to the start of the table and goes on up to
-- it. A short batch has looked at every issue, so 0 still means nothing is
-- left, and the next batch starts from the start.
-- Issues d0..d9: stale locks (a failed run) on d0 d1 d3 d4 d6 d8, live ones on
-- d2 d5 d7 d9. pg_temp.sweep(n) sweeps one batch and lists what it cleared,
-- in id order (the audit rows of its own transaction).
INSERT INTO paperclip.issues
    (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id,
     execution_agent_name_key, execution_locked_at, started_at)
SELECT ('0000000c-0000-4000-8000-0000000000d' || n)::uuid, :'company', 'keyset ' || n, 'in_progress',
       :'agent', r.run, r.run, 'codexcoder', now(), now()
FROM generate_series(0, 9) AS n,
     LATERAL (SELECT CASE WHEN n IN (0, 1, 3, 4, 6, 8) THEN :'r_failed' ELSE :'r_live' END::uuid AS run) AS r;
CREATE FUNCTION pg_temp.sweep(batch integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    cleared bigint := paperclip.sweep_stale_locks(batch);
    ids text;
BEGIN
    SELECT string_agg(DISTINCT right(entity_id, 2), ' ') INTO ids FROM paperclip.activity_log
    WHERE action = 'issue.stale_lock_cleared' AND created_at = now();
    RETURN cleared || coalesce(': ' || ids, '');
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.sweep(integer) TO regress_pc_ot_operator;
SET ROLE regress_pc_ot_operator;
-- From the start (the last call above came back short): d0 d1 d3.
SELECT pg_temp.sweep(3) AS cleared;
RESET ROLE;
-- d1, behind where the sweep stands now, gets a stale lock again.
UPDATE paperclip.issues SET checkout_run_id = :'r_failed', execution_run_id = :'r_failed',
    execution_agent_name_key = 'codexcoder', execution_locked_at = now()
WHERE id = '0000000c-0000-4000-8000-0000000000d1';
SET ROLE regress_pc_ot_operator;
-- After d3: d4 d6 d8, a full batch; the live locks in between are read once.
SELECT pg_temp.sweep(3) AS cleared;
-- After d8 nothing is left; the batch wraps around and finds d1 behind it.
SELECT pg_temp.sweep(3) AS cleared;
-- That batch was short: a whole pass found nothing more.
SELECT pg_temp.sweep(3) AS cleared;
RESET ROLE;
SELECT right(issue_id::text, 2) AS issue, right(checkout_run_id::text, 3) AS checkout, stale
FROM paperclip.issue_locks WHERE issue_id::text LIKE '0000000c-0000-4000-8000-0000000000d_' ORDER BY issue_id;
DROP FUNCTION pg_temp.sweep(integer);

DELETE FROM paperclip.terminal_run_statuses WHERE status = 'adapter_failed';
REVOKE EXECUTE ON FUNCTION paperclip.sweep_stale_locks(integer) FROM regress_pc_ot_other;
REVOKE USAGE ON SCHEMA paperclip FROM regress_pc_ot_other;
DROP ROLE regress_pc_ot_other;
DROP ROLE regress_pc_ot_operator;
DROP ROLE regress_pc_ot_app;
DROP ROLE regress_pc_ot_reader;
