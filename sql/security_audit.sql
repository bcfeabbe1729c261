-- SPEC §6 and §10, the audit log's integrity: an agent actor writes audit rows
-- only with its own agent_id and run_id (or NULL), nobody writes a row in
-- another actor's name; activity_log.created_at is the database's clock for
-- every writer but operators; primary keys of companies, agents, runs and
-- issues never change. On 1.0 an agent wrote back-dated rows naming another
-- agent's run, and could change an issue's id to take over its history.
\set VERBOSITY verbose
\set C  '0000a008-0000-4000-8000-0000000000c1'
\set A  '0000a008-0000-4000-8000-0000000000a1'
\set B  '0000a008-0000-4000-8000-0000000000b1'
\set RA '0000a008-0000-4000-8000-000000000001'
\set RB '0000a008-0000-4000-8000-000000000002'
\set RB2 '0000a008-0000-4000-8000-000000000003'
\set I  '0000a008-0000-4000-8000-000000000101'
\set J  '0000a008-0000-4000-8000-000000000102'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Audit Co', 'SAUD');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES (:'C', 'user', 'board-user', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha'), (:'B', :'C', 'Beta');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'RA', :'C', :'A', 'running'), (:'RB', :'C', :'B', 'running'), (:'RB2', :'C', :'B', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES (:'I', :'C', 'audited', 'todo'), (:'J', :'C', 'other', 'todo');
CREATE ROLE regress_sec_audit_app LOGIN;
GRANT paperclip_app TO regress_sec_audit_app;
SET ROLE regress_sec_audit_app;

-- Agent B writes a row naming A, or A's run, or its own other run.
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id)
    VALUES (:'C', 'agent', :'B', 'issue.updated', 'issue', :'I', :'A', :'RA');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id)
    VALUES (:'C', 'agent', :'B', 'issue.updated', 'issue', :'I', :'B', :'RA');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id)
    VALUES (:'C', 'agent', :'B', 'issue.updated', 'issue', :'I', :'B', :'RB2');
ROLLBACK;
-- A board user writes a row naming an agent or a run.
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id)
    VALUES (:'C', 'user', 'board-user', 'issue.updated', 'issue', :'I', :'A');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, run_id)
    VALUES (:'C', 'user', 'board-user', 'issue.updated', 'issue', :'I', :'RA');
ROLLBACK;
-- Its own name passes (agent_id and run_id its own, or NULL); created_at is
-- the database's clock, whatever the row says.
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id, created_at)
    VALUES (:'C', 'agent', :'B', 'issue.noted', 'issue', :'I', :'B', :'RB', '2001-01-01');
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, created_at)
    VALUES (:'C', 'agent', :'B', 'issue.noted_again', 'issue', :'I', '2999-01-01');
SELECT action, right(agent_id::text, 2) AS agent, right(run_id::text, 2) AS run, created_at = now() AS stamped_now
FROM paperclip.activity_log WHERE company_id = :'C' AND action LIKE 'issue.noted%' ORDER BY action;
COMMIT;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, created_at)
    VALUES (:'C', 'user', 'board-user', 'issue.board_noted', 'issue', :'I', '2001-01-01');
SELECT created_at = now() AS stamped_now FROM paperclip.activity_log WHERE action = 'issue.board_noted' AND company_id = :'C';
COMMIT;

-- Primary keys never change: an issue taking another's id (and with it its
-- audit history), a run, an agent, a company.
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET id = '0000a008-0000-4000-8000-000000000199' WHERE id = :'J';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
UPDATE paperclip.heartbeat_runs SET id = '0000a008-0000-4000-8000-000000000099' WHERE id = :'RB2';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.agents SET id = '0000a008-0000-4000-8000-0000000000b9' WHERE id = :'B';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.companies SET id = '0000a008-0000-4000-8000-0000000000c9' WHERE id = :'C';
ROLLBACK;
RESET ROLE;
-- Not even an operator (a superuser here).
UPDATE paperclip.issues SET id = '0000a008-0000-4000-8000-000000000199' WHERE id = :'J';
UPDATE paperclip.heartbeat_runs SET id = '0000a008-0000-4000-8000-000000000099' WHERE id = :'RB2';
-- An operator importing history keeps its timestamps.
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, created_at)
    VALUES (:'C', 'system', 'import', 'issue.imported', 'issue', :'I', '2001-01-01');
SELECT created_at = '2001-01-01' AS kept FROM paperclip.activity_log WHERE action = 'issue.imported' AND company_id = :'C';
DROP OWNED BY regress_sec_audit_app;
DROP ROLE regress_sec_audit_app;
