-- paperclip.assert_checkout_owner(issue_id, agent_id, run_id) (SPEC §4.5;
-- reference §3.2, scenarios 29-33 and 56): the ownership check behind every
-- agent write. Runs as the bootstrap superuser (a database operator) who sets
-- up lock columns directly; the agent acts in explicit transactions.
\set VERBOSITY verbose

\set company       '00000008-0000-4000-8000-0000000000c1'
\set agent_a       '00000008-0000-4000-8000-0000000000a1'
\set agent_b       '00000008-0000-4000-8000-0000000000a2'
-- runs of A: R, R2, L running; F failed; T timed_out. FB: a failed run of B.
\set run_r         '00000008-0000-4000-8000-000000000101'
\set run_r2        '00000008-0000-4000-8000-000000000102'
\set run_f         '00000008-0000-4000-8000-000000000103'
\set run_t         '00000008-0000-4000-8000-000000000104'
\set run_l         '00000008-0000-4000-8000-000000000105'
\set run_fb        '00000008-0000-4000-8000-000000000106'
\set issue_hold    '00000008-0000-4000-8000-000000000201'
\set issue_29      '00000008-0000-4000-8000-000000000229'
\set issue_30      '00000008-0000-4000-8000-000000000230'
\set issue_31      '00000008-0000-4000-8000-000000000231'
\set issue_32      '00000008-0000-4000-8000-000000000232'
\set issue_33      '00000008-0000-4000-8000-000000000233'
\set issue_56      '00000008-0000-4000-8000-000000000256'
\set issue_other   '00000008-0000-4000-8000-000000000257'
\set issue_missing '00000008-0000-4000-8000-0000000002ff'

INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES
    (:'company', 'Ownership Co', 'OWN');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    (:'agent_a', :'company', 'Codex-Coder 8A'),
    (:'agent_b', :'company', 'Reviewer_Bot 8B');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'run_r',  :'company', :'agent_a', 'running'),
    (:'run_r2', :'company', :'agent_a', 'running'),
    (:'run_f',  :'company', :'agent_a', 'failed'),
    (:'run_t',  :'company', :'agent_a', 'timed_out'),
    (:'run_l',  :'company', :'agent_a', 'running'),
    (:'run_fb', :'company', :'agent_b', 'failed');

-- Every issue is in_progress; the lock columns are set per case (an old
-- execution_locked_at marks a lock taken long ago).
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id,
                              checkout_run_id, execution_run_id, execution_agent_name_key,
                              execution_locked_at, started_at) VALUES
    (:'issue_hold',  :'company', 'held by R',             'in_progress', :'agent_a', :'run_r',  :'run_r',  'codexcoder8a',  now(), now()),
    (:'issue_29',    :'company', 'unowned, exec failed',  'in_progress', :'agent_a', NULL,      :'run_f',  'codexcoder8a',  '2020-01-01', now()),
    (:'issue_30',    :'company', 'timed out holder',      'in_progress', :'agent_a', :'run_t',  :'run_t',  'codexcoder8a',  '2020-01-01', now()),
    (:'issue_31',    :'company', 'live other run',        'in_progress', :'agent_a', :'run_l',  :'run_l',  'codexcoder8a',  now(), now()),
    (:'issue_32',    :'company', 'no locks',              'in_progress', :'agent_a', NULL,      NULL,      NULL,            NULL,  now()),
    (:'issue_33',    :'company', 'no run id',             'in_progress', :'agent_a', :'run_r',  :'run_r',  'codexcoder8a',  now(), now()),
    (:'issue_56',    :'company', 'two successors',        'in_progress', :'agent_a', :'run_f',  :'run_f',  'codexcoder8a',  '2020-01-01', now()),
    (:'issue_other', :'company', 'stale lock of B',       'in_progress', :'agent_b', :'run_fb', :'run_fb', 'reviewerbot8b', '2020-01-01', now());

CREATE TEMP VIEW issue_state AS
SELECT id, status, assignee_agent_id, checkout_run_id, execution_run_id,
       execution_agent_name_key, execution_locked_at IS NOT NULL AS locked_at_set,
       execution_locked_at > '2021-01-01' AS locked_recently
FROM paperclip.issues WHERE company_id = '00000008-0000-4000-8000-0000000000c1';
CREATE TEMP VIEW audit AS
SELECT entity_id, action, details, actor_type, actor_id, agent_id, run_id, created_at
FROM paperclip.activity_log WHERE company_id = '00000008-0000-4000-8000-0000000000c1';

-------------------------------------------------------------------------------
-- The holding run passes: the row is returned unchanged with
-- adopted_from_run_id NULL; nothing is written.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_hold', :'agent_a', :'run_r');
COMMIT;
SELECT * FROM issue_state WHERE id = :'issue_hold';
SELECT count(*) AS audit_rows FROM audit WHERE entity_id = :'issue_hold';

-------------------------------------------------------------------------------
-- Scenario 29: in_progress, assignee A, no checkout run, execution run F
-- failed: the live run R of the assignee adopts the unowned lock; both lock
-- columns become R, the name key and execution_locked_at are set. The
-- checkout was unowned, so adopted_from_run_id is NULL and no
-- issue.checkout_lock_adopted row is written; the stale execution lock F is
-- cleared on the way and recorded as issue.stale_lock_cleared.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_29', :'agent_a', :'run_r');
COMMIT;
SELECT * FROM issue_state WHERE id = :'issue_29';
SELECT action, details FROM audit WHERE entity_id = :'issue_29' ORDER BY created_at, action;

-------------------------------------------------------------------------------
-- Scenario 30: both locks name T (timed_out): R takes over the stale lock;
-- adopted_from_run_id = T, locks become R, and exactly one
-- issue.checkout_lock_adopted row {previousCheckoutRunId: T, checkoutRunId: R,
-- reason: stale_checkout_run} is written, audited as the agent and its run.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_30', :'agent_a', :'run_r');
COMMIT;
SELECT * FROM issue_state WHERE id = :'issue_30';
SELECT action, details FROM audit WHERE entity_id = :'issue_30' ORDER BY created_at, action;
SELECT actor_type, actor_id, agent_id, run_id FROM audit WHERE entity_id = :'issue_30';

-------------------------------------------------------------------------------
-- Scenario 31: a different live run L of the assignee holds both locks: R is
-- refused with PC409 Issue run ownership conflict and {issueId, status,
-- assigneeAgentId, checkoutRunId, executionRunId, actorAgentId, actorRunId}.
-- Nothing changes.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_31', :'agent_a', :'run_r');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_31';

-------------------------------------------------------------------------------
-- Scenario 32: no locks, but the actor's run F has failed: a run that holds
-- nothing cannot adopt (S-B: the actor run must be live): PC409.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_f');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_32', :'agent_a', :'run_f');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_32';

-------------------------------------------------------------------------------
-- Scenario 33: no run id: PC401 Agent run id required, for an agent actor
-- without a run and for an operator passing NULL alike.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_33', :'agent_a', NULL);
ROLLBACK;
SELECT * FROM paperclip.assert_checkout_owner(:'issue_33', :'agent_a', NULL);
-- The run belongs to the agent actor (SPEC §3): an agent actor without a run
-- cannot name one as the argument instead: still PC401.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_33', :'agent_a', :'run_r');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_33';

-------------------------------------------------------------------------------
-- Scenario 56 (sequentially): A's checkout run F failed; successor R adopts
-- (adopted_from_run_id = F); the second successor R2 then finds R, a live
-- run, holding it and is refused with PC409; R itself still passes. Never do
-- two successors both succeed.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_56', :'agent_a', :'run_r');
COMMIT;
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r2');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_56', :'agent_a', :'run_r2');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_56', :'agent_a', :'run_r');
COMMIT;
SELECT * FROM issue_state WHERE id = :'issue_56';
SELECT action, details FROM audit WHERE entity_id = :'issue_56' ORDER BY created_at, action;

-------------------------------------------------------------------------------
-- Adoption is for the assignee only (reference §6.4 invariant 7, scenario 19
-- analogue): A's live run cannot take over B's stale lock. PC409; the details
-- never name a run that holds nothing (§6.4 invariant 5), and nothing changes.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_other', :'agent_a', :'run_r');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_other';

-------------------------------------------------------------------------------
-- An agent acts only as itself: agent A asking for agent B (with B's run) is
-- PC403 agent can only act as itself. Nothing changes.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_hold', :'agent_b', :'run_fb');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_hold';

-------------------------------------------------------------------------------
-- Unknown issue: PC404 Issue not found.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT * FROM paperclip.assert_checkout_owner(:'issue_missing', :'agent_a', :'run_r');
ROLLBACK;

-- This file wrote exactly these audit rows.
SELECT action, count(*) FROM audit GROUP BY action ORDER BY action;

DROP VIEW issue_state, audit;
