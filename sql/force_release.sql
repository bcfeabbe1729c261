-- admin_force_release (SPEC §4.7; paperclip-semantics.md §3.8, §3.11, §5;
-- scenarios 48-52): the board's and the database operator's way out of a
-- stuck lock. Board-only, company write access required, clears the four lock
-- columns (the agent assignee only when asked), never changes status, and is
-- always audited in the same transaction.
--
-- Scenario 53 (T-0 variant: force-release also cancels the running run) is not
-- tested: SPEC §4.7 does not ask for it, so the holder run's status must stay
-- as it was (checked below).
\set VERBOSITY verbose

\set company   '0000000b-0000-4000-8000-0000000000c1'
\set other_co  '0000000b-0000-4000-8000-0000000000c2'
\set agent     '0000000b-0000-4000-8000-0000000000a1'
\set run_live  '0000000b-0000-4000-8000-000000000101'
\set run_fail  '0000000b-0000-4000-8000-000000000102'
\set issue1    '0000000b-0000-4000-8000-0000000000e1'
\set issue2    '0000000b-0000-4000-8000-0000000000e2'
\set issue3    '0000000b-0000-4000-8000-0000000000e3'
\set issue4    '0000000b-0000-4000-8000-0000000000e4'
\set issue5    '0000000b-0000-4000-8000-0000000000e5'
\set issue6    '0000000b-0000-4000-8000-0000000000e6'
\set missing   '0000000b-0000-4000-8000-0000000000ff'

-- Login roles: the application server, a read-only reporting role, and a
-- non-superuser database operator.
CREATE ROLE regress_pc_fr_app LOGIN;
GRANT paperclip_app TO regress_pc_fr_app;
CREATE ROLE regress_pc_fr_reader LOGIN;
GRANT paperclip_reader TO regress_pc_fr_reader;
CREATE ROLE regress_pc_fr_operator LOGIN;
GRANT paperclip_operator TO regress_pc_fr_operator;

-- Fixtures, written by the bootstrap superuser with no actor: a database
-- operator, which may set lock columns directly (SPEC §6).
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES
    (:'company', 'Force Release Co', 'FRL'),
    (:'other_co', 'Elsewhere Co', 'FRX');
INSERT INTO paperclip.company_memberships
    (company_id, principal_type, principal_id, status, membership_role) VALUES
    (:'company', 'user', 'board-user', 'active', 'admin'),
    (:'company', 'user', 'viewer-user', 'active', 'viewer'),
    (:'company', 'user', 'former-user', 'suspended', 'admin'),
    (:'other_co', 'user', 'outsider-user', 'active', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    (:'agent', :'company', 'CodexCoder');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'run_live', :'company', :'agent', 'running'),
    (:'run_fail', :'company', :'agent', 'failed');
-- Every issue starts as scenario 50's: in_progress, assignee A, the checkout
-- held by the running run R, the execution lock by the failed run F.
INSERT INTO paperclip.issues
    (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id,
     execution_agent_name_key, execution_locked_at, started_at)
SELECT i, :'company', 'Stuck ' || right(i::text, 2), 'in_progress', :'agent', :'run_live',
       :'run_fail', 'codexcoder', now(), now()
FROM unnest(ARRAY[:'issue1', :'issue2', :'issue3', :'issue4', :'issue5']::uuid[]) AS i;

-- Scenario 48: an agent is not a board user: 403 Board access required, and
-- nothing changes (no lock column, no audit row).
SET ROLE regress_pc_fr_app;
BEGIN;
SELECT paperclip.set_actor_agent(:'agent', :'run_live');
SELECT * FROM paperclip.admin_force_release(:'issue1', clear_assignee => true);
ROLLBACK;
-- An application role with no actor is refused too (SPEC §3).
SELECT * FROM paperclip.admin_force_release(:'issue1');
RESET ROLE;
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id, execution_agent_name_key,
       execution_locked_at IS NOT NULL AS execution_locked
FROM paperclip.issues WHERE id = :'issue1';
SELECT count(*) AS audit_rows FROM paperclip.activity_log WHERE entity_id = :'issue1';

-- Scenario 49 (T-0/R-1): a board user with no membership in the issue's
-- company (it is an admin elsewhere): 403, nothing changes.
SET ROLE regress_pc_fr_app;
BEGIN;
SELECT paperclip.set_actor_board('outsider-user');
SELECT * FROM paperclip.admin_force_release(:'issue1', clear_assignee => true);
ROLLBACK;
-- A viewer membership is read-only (A-1).
BEGIN;
SELECT paperclip.set_actor_board('viewer-user');
SELECT * FROM paperclip.admin_force_release(:'issue1', clear_assignee => true);
ROLLBACK;
-- A membership that is not active grants no write access (A-1).
BEGIN;
SELECT paperclip.set_actor_board('former-user');
SELECT * FROM paperclip.admin_force_release(:'issue1', clear_assignee => true);
ROLLBACK;
RESET ROLE;
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id, execution_agent_name_key,
       execution_locked_at IS NOT NULL AS execution_locked
FROM paperclip.issues WHERE id = :'issue1';
SELECT count(*) AS audit_rows FROM paperclip.activity_log WHERE entity_id = :'issue1';

-- Scenario 52: an unknown issue: 404 Issue not found.
SET ROLE regress_pc_fr_app;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT * FROM paperclip.admin_force_release(:'missing');
ROLLBACK;
-- NULL where a value is needed: 400 (SPEC §5).
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT * FROM paperclip.admin_force_release(:'issue1', clear_assignee => NULL);
ROLLBACK;

-- Scenario 50 (upstream "restricts admin force-release to board users with
-- company access and writes an audit event"): an active admin member with
-- clear_assignee => true gets back the released issue -- assignee and all
-- locks NULL, status untouched -- and the previous holders R and F.
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT * FROM paperclip.admin_force_release(:'issue1', clear_assignee => true);
COMMIT;
RESET ROLE;
-- The row itself: the four lock columns are NULL, status and started_at kept.
SELECT status, assignee_agent_id, assignee_user_id, checkout_run_id, execution_run_id,
       execution_agent_name_key, execution_locked_at, started_at IS NOT NULL AS started
FROM paperclip.issues WHERE id = :'issue1';
-- Exactly one issue.admin_force_release row, by the board user, with exactly
-- the five upstream keys.
SELECT action, actor_type, actor_id, entity_type, company_id, agent_id, run_id
FROM paperclip.activity_log WHERE entity_id = :'issue1';
SELECT details FROM paperclip.activity_log WHERE entity_id = :'issue1';
SELECT details = jsonb_build_object('issueId', :'issue1'::text, 'actorUserId', 'board-user',
                                    'prevCheckoutRunId', :'run_live'::text,
                                    'prevExecutionRunId', :'run_fail'::text,
                                    'clearAssignee', true) AS details_exact
FROM paperclip.activity_log WHERE entity_id = :'issue1';
-- Scenario 53 is not ours: the holder runs keep their status.
SELECT id, status FROM paperclip.heartbeat_runs WHERE company_id = :'company' ORDER BY id;

-- Scenario 51: without clear_assignee the assignee stays and the issue stays
-- in_progress; only the locks go, and the audit says clearAssignee false.
SET ROLE regress_pc_fr_app;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT * FROM paperclip.admin_force_release(:'issue2');
COMMIT;
RESET ROLE;
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id, execution_agent_name_key,
       execution_locked_at, started_at IS NOT NULL AS started
FROM paperclip.issues WHERE id = :'issue2';
SELECT action, actor_type, actor_id, details
FROM paperclip.activity_log WHERE entity_id = :'issue2';

-- A reason is recorded with the other keys.
SET ROLE regress_pc_fr_app;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT id, status, assignee_agent_id, checkout_run_id, execution_run_id
FROM paperclip.admin_force_release(:'issue3', reason => 'harness crashed, lock is stale');
COMMIT;
RESET ROLE;
SELECT details FROM paperclip.activity_log WHERE entity_id = :'issue3';

-- Audited in the same transaction: a force-release that is rolled back leaves
-- neither a change nor an audit row.
SET ROLE regress_pc_fr_app;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT id, checkout_run_id, execution_run_id, previous_checkout_run_id, previous_execution_run_id
FROM paperclip.admin_force_release(:'issue4', clear_assignee => true);
SELECT count(*) AS audit_rows_inside FROM paperclip.activity_log WHERE entity_id = :'issue4';
ROLLBACK;
RESET ROLE;
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id, execution_agent_name_key,
       execution_locked_at IS NOT NULL AS execution_locked
FROM paperclip.issues WHERE id = :'issue4';
SELECT count(*) AS audit_rows FROM paperclip.activity_log WHERE entity_id = :'issue4';

-- A database operator (the bootstrap superuser, no actor) may force-release;
-- it is audited as actor_type 'user' with its role name (SPEC §3), whatever
-- that name is in this cluster.
SELECT * FROM paperclip.admin_force_release(:'issue4', clear_assignee => true);
SELECT action, actor_type, actor_id = current_user AS actor_is_session_role,
       details->>'actorUserId' = current_user AS actor_user_id_is_session_role,
       details - 'actorUserId' AS other_details
FROM paperclip.activity_log WHERE entity_id = :'issue4';

-- So may a role granted paperclip_operator (no superuser), by its role name.
SET ROLE regress_pc_fr_operator;
SELECT id, status, assignee_agent_id, checkout_run_id, execution_run_id
FROM paperclip.admin_force_release(:'issue5', clear_assignee => false);
RESET ROLE;
SELECT action, actor_type, actor_id, details->>'actorUserId' AS actor_user_id,
       details->>'clearAssignee' AS clear_assignee
FROM paperclip.activity_log WHERE entity_id = :'issue5';

-- Never changes status: an in_review issue with no lock at all stays in_review,
-- and the audit row records that nothing was held.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id)
VALUES (:'issue6', :'company', 'Review', 'in_review', :'agent');
SET ROLE regress_pc_fr_app;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT * FROM paperclip.admin_force_release(:'issue6', clear_assignee => true);
COMMIT;
RESET ROLE;
SELECT details FROM paperclip.activity_log WHERE entity_id = :'issue6';

-- A role without EXECUTE on the function (paperclip_reader reads, never
-- writes) is stopped by PostgreSQL itself: 42501. Default verbosity here:
-- PostgreSQL's own errors carry a source location that varies by version.
\set VERBOSITY default
SET ROLE regress_pc_fr_reader;
SELECT * FROM paperclip.admin_force_release(:'issue1');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT paperclip.set_actor_board('board-user');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET ROLE;
\set VERBOSITY verbose

-- Every force-release of this file, and only those that committed.
SELECT entity_id, actor_type, details->>'clearAssignee' AS clear_assignee
FROM paperclip.activity_log WHERE company_id = :'company' ORDER BY entity_id;

DROP ROLE regress_pc_fr_app;
DROP ROLE regress_pc_fr_reader;
DROP ROLE regress_pc_fr_operator;
