-- SPEC §6 and §10, runs and companies: a run's company is its agent's
-- company; a checkout run must belong to the issue's company; a lock column
-- may only name a run of the issue's own company (422, every writer,
-- operators included); when a run turns terminal only issues of its own
-- company are touched, per column (execution_run_id: the three execution
-- columns; checkout_run_id: only that column). On 1.0 a board user of company
-- B created a run in B for an agent of A, checkout took it for A's issue, and
-- then B's board released A's lock by failing that run.
\set VERBOSITY verbose
\set C  '0000a009-0000-4000-8000-0000000000c1'
\set C2 '0000a009-0000-4000-8000-0000000000c2'
\set A  '0000a009-0000-4000-8000-0000000000a1'
\set X  '0000a009-0000-4000-8000-0000000000a2'
\set RA '0000a009-0000-4000-8000-000000000001'
\set RA2 '0000a009-0000-4000-8000-000000000002'
\set RX '0000a009-0000-4000-8000-000000000003'
\set XR '0000a009-0000-4000-8000-000000000004'
\set RA3 '0000a009-0000-4000-8000-000000000005'
\set I  '0000a009-0000-4000-8000-000000000101'
\set J  '0000a009-0000-4000-8000-000000000102'
\set K  '0000a009-0000-4000-8000-000000000103'
\set L  '0000a009-0000-4000-8000-000000000104'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Runs A', 'SRUN'), (:'C2', 'Runs B', 'SRUN2');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role) VALUES
    (:'C', 'user', 'board-a', 'admin'), (:'C2', 'user', 'board-b', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha'), (:'X', :'C2', 'Xray');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'RA', :'C', :'A', 'running'), (:'RA2', :'C', :'A', 'running'), (:'RX', :'C2', :'X', 'running'),
    (:'RA3', :'C', :'A', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
    (:'I', :'C', 'A''s work', 'todo', NULL), (:'J', :'C', 'per column', 'todo', NULL),
    (:'K', :'C', 'execution only', 'todo', NULL), (:'L', :'C', 'planted', 'todo', NULL);
CREATE TEMP VIEW issue_state AS
    SELECT right(id::text, 3) AS issue, status, right(assignee_agent_id::text, 2) AS assignee,
           right(checkout_run_id::text, 2) AS checkout, right(execution_run_id::text, 2) AS execution,
           execution_agent_name_key AS name_key, execution_locked_at IS NOT NULL AS locked_at_set
    FROM paperclip.issues WHERE company_id = '0000a009-0000-4000-8000-0000000000c1';
GRANT SELECT ON issue_state TO PUBLIC;
CREATE ROLE regress_sec_runs_app LOGIN;
GRANT paperclip_app TO regress_sec_runs_app;
SET ROLE regress_sec_runs_app;

-- B's board creates a run in B for A's agent, or moves one of B's runs to A's agent.
BEGIN;
SELECT paperclip.set_actor_board('board-b');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'XR', :'C2', :'A', 'running');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-b');
UPDATE paperclip.heartbeat_runs SET agent_id = :'A' WHERE id = :'RX';
ROLLBACK;
RESET ROLE;
-- Operators too: the run's company is its agent's company.
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'XR', :'C2', :'A', 'running');
-- Such a run, planted past the triggers (as a 1.0 database may hold it) ...
SET session_replication_role = replica;
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'XR', :'C2', :'A', 'running');
RESET session_replication_role;
-- ... is refused by checkout for A's issue: the run belongs to another company.
BEGIN;
SELECT paperclip.set_actor_board('board-a');
SELECT status FROM paperclip.checkout(:'I', :'A', '{todo}', :'XR');
ROLLBACK;
-- ... and no writer may name it in a lock column of A's issue, operators included.
UPDATE paperclip.issues SET status = 'in_progress', assignee_agent_id = :'A', checkout_run_id = :'XR' WHERE id = :'I';
UPDATE paperclip.issues SET execution_run_id = :'XR' WHERE id = :'I';
INSERT INTO paperclip.issues (id, company_id, title, execution_run_id) VALUES ('0000a009-0000-4000-8000-000000000199', :'C', 'new', :'XR');
SELECT paperclip.acquire_execution_lock(:'I', :'XR');

-- Run end releases only issues of the run's own company: an issue of A
-- naming the planted run (as a 1.0 database may hold it) is left alone when
-- B's board fails the run.
SET session_replication_role = replica;
UPDATE paperclip.issues SET status = 'in_progress', assignee_agent_id = :'A', checkout_run_id = :'XR', execution_run_id = :'XR',
       execution_agent_name_key = 'alpha', execution_locked_at = now() WHERE id = :'L';
RESET session_replication_role;
SET ROLE regress_sec_runs_app;
BEGIN;
SELECT paperclip.set_actor_board('board-b');
UPDATE paperclip.heartbeat_runs SET status = 'failed' WHERE id = :'XR';
COMMIT;
RESET ROLE;
SELECT * FROM issue_state WHERE issue = '104';

-- Per column: A's checkout run RA holds checkout_run_id, a newer run RA2
-- already holds execution_run_id. RA ending clears only checkout_run_id.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
SELECT status FROM paperclip.checkout(:'J', :'A', '{todo}');
COMMIT;
UPDATE paperclip.issues SET execution_run_id = :'RA2', execution_agent_name_key = 'alpha' WHERE id = :'J';
SELECT * FROM issue_state WHERE issue = '102';
SET ROLE regress_sec_runs_app;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
UPDATE paperclip.heartbeat_runs SET status = 'succeeded' WHERE id = :'RA';
COMMIT;
RESET ROLE;
SELECT * FROM issue_state WHERE issue = '102';
-- Where execution_run_id is the run, the three execution columns are cleared
-- (the checkout column, naming another live run, stays).
UPDATE paperclip.issues SET status = 'in_progress', assignee_agent_id = :'A', checkout_run_id = :'RA3',
       execution_run_id = :'RA2', execution_agent_name_key = 'alpha', execution_locked_at = now() WHERE id = :'K';
SELECT * FROM issue_state WHERE issue = '103';
SET ROLE regress_sec_runs_app;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA2');
UPDATE paperclip.heartbeat_runs SET status = 'cancelled' WHERE id = :'RA2';
COMMIT;
RESET ROLE;
SELECT * FROM issue_state WHERE issue IN ('102', '103') ORDER BY issue;
SELECT right(entity_id, 3) AS issue, details->>'lock' AS lock, right(details->>'previousRunId', 2) AS run, details->>'source' AS source
FROM paperclip.activity_log WHERE company_id = :'C' AND action = 'issue.stale_lock_cleared' ORDER BY created_at, issue, lock;
DROP OWNED BY regress_sec_runs_app;
DROP ROLE regress_sec_runs_app;
