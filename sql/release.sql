-- paperclip.release(issue_id, agent_id, run_id) (SPEC §4.4; reference §3.3,
-- scenarios 42-47). Runs as the bootstrap superuser: a database operator
-- (SPEC §3) who sets up lock columns directly; agent and board actors act in
-- explicit transactions.
\set VERBOSITY verbose

\set company       '00000007-0000-4000-8000-0000000000c1'
\set other_company '00000007-0000-4000-8000-0000000000c2'
\set agent_a       '00000007-0000-4000-8000-0000000000a1'
\set agent_b       '00000007-0000-4000-8000-0000000000a2'
-- runs of A: R, R2 running, F failed, L running; RB a running run of B
\set run_r         '00000007-0000-4000-8000-000000000101'
\set run_r2        '00000007-0000-4000-8000-000000000102'
\set run_f         '00000007-0000-4000-8000-000000000103'
\set run_l         '00000007-0000-4000-8000-000000000104'
\set run_rb        '00000007-0000-4000-8000-000000000105'
\set issue_42      '00000007-0000-4000-8000-000000000242'
\set issue_43      '00000007-0000-4000-8000-000000000243'
\set issue_44      '00000007-0000-4000-8000-000000000244'
\set issue_45_done '00000007-0000-4000-8000-000000000245'
\set issue_45_canc '00000007-0000-4000-8000-000000000246'
\set issue_45_rev  '00000007-0000-4000-8000-000000000247'
\set issue_45_blk  '00000007-0000-4000-8000-000000000248'
\set issue_46      '00000007-0000-4000-8000-000000000249'
\set issue_47      '00000007-0000-4000-8000-00000000024a'
\set issue_norun   '00000007-0000-4000-8000-00000000024b'
\set issue_rb      '00000007-0000-4000-8000-00000000024c'
\set issue_403     '00000007-0000-4000-8000-00000000024d'
\set issue_missing '00000007-0000-4000-8000-0000000002ff'

INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES
    (:'company', 'Release Co', 'RLS'),
    (:'other_company', 'Release Other Co', 'RLSO');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, status, membership_role) VALUES
    (:'company', 'user', 'board-user-7', 'active', 'admin'),
    (:'other_company', 'user', 'outsider-7', 'active', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    (:'agent_a', :'company', 'Codex-Coder 7A'),
    (:'agent_b', :'company', 'Reviewer_Bot 7B');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'run_r',  :'company', :'agent_a', 'running'),
    (:'run_r2', :'company', :'agent_a', 'running'),
    (:'run_f',  :'company', :'agent_a', 'failed'),
    (:'run_l',  :'company', :'agent_a', 'running'),
    (:'run_rb', :'company', :'agent_b', 'running');

-- Every issue starts in_progress, assigned to A, with all four lock columns
-- naming its holder run (the state checkout leaves behind).
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id,
                              checkout_run_id, execution_run_id, execution_agent_name_key,
                              execution_locked_at, started_at) VALUES
    (:'issue_42',      :'company', 'happy path',        'in_progress', :'agent_a', :'run_r', :'run_r', 'codexcoder7a', now(), now()),
    (:'issue_43',      :'company', 'failed holder',     'in_progress', :'agent_a', :'run_f', :'run_f', 'codexcoder7a', now(), now()),
    (:'issue_44',      :'company', 'live other run',    'in_progress', :'agent_a', :'run_l', :'run_l', 'codexcoder7a', now(), now()),
    (:'issue_45_done', :'company', 'done',              'done',        :'agent_a', :'run_r', :'run_r', 'codexcoder7a', now(), now()),
    (:'issue_45_canc', :'company', 'cancelled',         'cancelled',   :'agent_a', :'run_r', :'run_r', 'codexcoder7a', now(), now()),
    (:'issue_45_rev',  :'company', 'in review',         'in_review',   :'agent_a', :'run_r', :'run_r', 'codexcoder7a', now(), now()),
    (:'issue_45_blk',  :'company', 'blocked',           'blocked',     :'agent_a', :'run_r', :'run_r', 'codexcoder7a', now(), now()),
    (:'issue_46',      :'company', 'assigned to B',     'in_progress', :'agent_b', :'run_rb', :'run_rb', 'reviewerbot7b', now(), now()),
    (:'issue_47',      :'company', 'board releases',    'in_progress', :'agent_a', :'run_l', :'run_l', 'codexcoder7a', now(), now()),
    (:'issue_norun',   :'company', 'agent without run', 'in_progress', :'agent_a', :'run_r', :'run_r', 'codexcoder7a', now(), now()),
    (:'issue_rb',      :'company', 'rolled back',       'in_progress', :'agent_a', :'run_r', :'run_r', 'codexcoder7a', now(), now()),
    (:'issue_403',     :'company', 'outsider',          'in_progress', :'agent_a', :'run_r', :'run_r', 'codexcoder7a', now(), now());

-- Narrow views: deterministic columns only.
CREATE TEMP VIEW issue_state AS
SELECT id, status, assignee_agent_id, checkout_run_id, execution_run_id,
       execution_agent_name_key, execution_locked_at IS NOT NULL AS locked_at_set
FROM paperclip.issues WHERE company_id = '00000007-0000-4000-8000-0000000000c1';
CREATE TEMP VIEW audit AS
SELECT entity_id, action, details, actor_type, actor_id, agent_id, run_id, created_at
FROM paperclip.activity_log WHERE company_id = '00000007-0000-4000-8000-0000000000c1';

-------------------------------------------------------------------------------
-- Scenario 42: the checkout run of the assignee releases: in_progress becomes
-- todo, the agent assignee and the four lock columns are cleared, and exactly
-- one issue.released row is written, audited as the agent and its run.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT id, status, assignee_agent_id, checkout_run_id, execution_run_id,
       execution_agent_name_key, execution_locked_at
FROM paperclip.release(:'issue_42');
COMMIT;
SELECT * FROM issue_state WHERE id = :'issue_42';
SELECT action, details FROM audit WHERE entity_id = :'issue_42' ORDER BY created_at, action;
SELECT actor_type, actor_id, agent_id, run_id FROM audit WHERE entity_id = :'issue_42';

-------------------------------------------------------------------------------
-- Scenario 43: the owner run F failed, so it holds nothing: a new run R2 of
-- the assignee releases with the postconditions of scenario 42.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r2');
SELECT id, status, assignee_agent_id, checkout_run_id, execution_run_id
FROM paperclip.release(:'issue_43', :'agent_a', :'run_r2');
COMMIT;
SELECT * FROM issue_state WHERE id = :'issue_43';
SELECT count(*) AS released_rows FROM audit WHERE entity_id = :'issue_43' AND action = 'issue.released';

-------------------------------------------------------------------------------
-- Scenario 44: a different, live run L holds the checkout: the assignee's run
-- R may not release it: PC409 Only checkout run can release issue, with
-- {issueId, assigneeAgentId, checkoutRunId, actorRunId}. Nothing changes and
-- no audit row is written.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT id FROM paperclip.release(:'issue_44');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_44';
SELECT count(*) AS audit_rows FROM audit WHERE entity_id = :'issue_44';

-------------------------------------------------------------------------------
-- Scenario 45: only in_progress re-queues to todo: done, cancelled, in_review
-- and blocked are kept; the assignee and the four lock columns are cleared.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id,
       execution_agent_name_key, execution_locked_at
FROM paperclip.release(:'issue_45_done');
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id,
       execution_agent_name_key, execution_locked_at
FROM paperclip.release(:'issue_45_canc');
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id,
       execution_agent_name_key, execution_locked_at
FROM paperclip.release(:'issue_45_rev');
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id,
       execution_agent_name_key, execution_locked_at
FROM paperclip.release(:'issue_45_blk');
COMMIT;
SELECT * FROM issue_state
WHERE id IN (:'issue_45_done', :'issue_45_canc', :'issue_45_rev', :'issue_45_blk')
ORDER BY id;

-------------------------------------------------------------------------------
-- Scenario 46: an agent that is not the assignee may not release:
-- PC409 Only assignee can release issue (upstream gives no details).
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT id FROM paperclip.release(:'issue_46');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_46';

-------------------------------------------------------------------------------
-- Scenario 47: a board user with write access releases anything, even an
-- issue a live run holds: no run checks. Audited as actor_type 'user' with
-- the user id (reference §5, getActorInfo).
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_board('board-user-7');
SELECT id, status, assignee_agent_id, checkout_run_id, execution_run_id
FROM paperclip.release(:'issue_47');
COMMIT;
SELECT * FROM issue_state WHERE id = :'issue_47';
SELECT action, actor_type, actor_id, agent_id, run_id FROM audit WHERE entity_id = :'issue_47';

-------------------------------------------------------------------------------
-- An agent actor without a run id: PC401 Agent run id required (reference
-- §3.11 requireAgentRunId; SPEC §5). Nothing changes.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a');
SELECT id FROM paperclip.release(:'issue_norun');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_norun';

-- The run belongs to the agent actor (SPEC §3: agent = (agent_id, run_id),
-- set by a privileged setter). An agent actor without a run cannot supply
-- one as an argument -- here the live run R that holds the checkout, which
-- would otherwise get past "Only checkout run can release issue": still
-- PC401, nothing changes.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a');
SELECT id FROM paperclip.release(:'issue_norun', :'agent_a', :'run_r');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_norun';

-- An agent releases as itself: agent A naming agent B is PC403 Agent can
-- only release as itself, whatever the issue. Nothing changes.
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT id FROM paperclip.release(:'issue_norun', :'agent_b');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_norun';

-------------------------------------------------------------------------------
-- Unknown issue: PC404 Issue not found (scenario 23 analogue, reference §3.11).
-------------------------------------------------------------------------------
SELECT id FROM paperclip.release(:'issue_missing');

-------------------------------------------------------------------------------
-- The audit row is written in the caller's transaction (SPEC §4.4): a
-- rolled-back release leaves the issue unchanged and no issue.released row.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_agent(:'agent_a', :'run_r');
SELECT status, assignee_agent_id, checkout_run_id FROM paperclip.release(:'issue_rb');
SELECT count(*) AS audit_rows_inside FROM audit WHERE entity_id = :'issue_rb';
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_rb';
SELECT count(*) AS audit_rows_after FROM audit WHERE entity_id = :'issue_rb';

-------------------------------------------------------------------------------
-- A board user with no membership in the issue's company: PC403 User does
-- not have access to this company (SPEC §3, §5). Nothing changes.
-------------------------------------------------------------------------------
BEGIN;
SELECT paperclip.set_actor_board('outsider-7');
SELECT id FROM paperclip.release(:'issue_403');
ROLLBACK;
SELECT * FROM issue_state WHERE id = :'issue_403';

-- This file wrote exactly these audit rows.
SELECT action, count(*) FROM audit GROUP BY action ORDER BY action;

DROP VIEW issue_state, audit;
