-- SPEC §10: an assignee written by any UPDATE or INSERT must be assignable,
-- exactly as in checkout (same company, not pending_approval or terminated);
-- a move to in_progress with unresolved blockers is refused (PC422 Issue is
-- blocked by unresolved blockers), as upstream's PATCH does; every lock the
-- ownership gate adopts writes an audit row. On 1.0 a plain UPDATE skipped
-- all three of checkout's rules.
\set VERBOSITY verbose
\set C  '0000a007-0000-4000-8000-0000000000c1'
\set C2 '0000a007-0000-4000-8000-0000000000c2'
\set A  '0000a007-0000-4000-8000-0000000000a1'
\set P  '0000a007-0000-4000-8000-0000000000a2'
\set T  '0000a007-0000-4000-8000-0000000000a3'
\set X  '0000a007-0000-4000-8000-0000000000a4'
\set RA '0000a007-0000-4000-8000-000000000001'
\set I  '0000a007-0000-4000-8000-000000000101'
\set BL '0000a007-0000-4000-8000-000000000102'
\set U  '0000a007-0000-4000-8000-000000000103'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Assignee Co', 'SASG'), (:'C2', 'Other Co', 'SASG2');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES (:'C', 'user', 'board-user', 'admin');
INSERT INTO paperclip.agents (id, company_id, name, status) VALUES
    (:'A', :'C', 'Alpha', 'idle'), (:'P', :'C', 'Pending', 'pending_approval'),
    (:'T', :'C', 'Terminated', 'terminated'), (:'X', :'C2', 'Xray', 'idle');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'RA', :'C', :'A', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    (:'I', :'C', 'blocked one', 'todo'), (:'BL', :'C', 'the blocker', 'todo');
INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id) VALUES (:'C', :'BL', :'I');
CREATE TEMP VIEW audit AS
    SELECT right(entity_id, 3) AS issue, action, actor_type, details
    FROM paperclip.activity_log WHERE company_id = '0000a007-0000-4000-8000-0000000000c1';
GRANT SELECT ON audit TO PUBLIC;
CREATE ROLE regress_sec_asg_app LOGIN;
GRANT paperclip_app TO regress_sec_asg_app;
SET ROLE regress_sec_asg_app;

-- Assignees the board may not pick: another company's agent, a pending or a
-- terminated one; by UPDATE and by INSERT.
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET assignee_agent_id = :'X' WHERE id = :'I';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET assignee_agent_id = :'P' WHERE id = :'I';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET assignee_agent_id = :'T' WHERE id = :'I';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.issues (company_id, title, assignee_agent_id) VALUES (:'C', 'new', :'X');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.issues (company_id, title, assignee_agent_id) VALUES (:'C', 'new', :'T');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.issues (company_id, title, assignee_agent_id) VALUES (:'C', 'new', '0000a007-0000-4000-8000-0000000000ff');
ROLLBACK;

-- The blocked issue cannot be moved to in_progress by a plain UPDATE, by the
-- board or by its assignee ...
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET status = 'in_progress', assignee_agent_id = :'A' WHERE id = :'I';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET assignee_agent_id = :'A' WHERE id = :'I';
COMMIT;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
UPDATE paperclip.issues SET status = 'in_progress' WHERE id = :'I';
ROLLBACK;
-- ... and once the blocker is done, the move passes. (A new issue has no
-- relations yet: nothing blocks an INSERT.)
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET status = 'done' WHERE id = :'BL';
UPDATE paperclip.issues SET status = 'in_progress' WHERE id = :'I';
SELECT status, right(assignee_agent_id::text, 2) AS assignee, checkout_run_id IS NULL AS unowned
FROM paperclip.issues WHERE id = :'I';
COMMIT;

-- The issue is now in_progress, assigned to A, with no checkout run. A's next
-- write adopts it through the ownership gate -- and that is recorded.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
UPDATE paperclip.issues SET title = 'adopted by a plain write' WHERE id = :'I';
COMMIT;
SELECT right(checkout_run_id::text, 2) AS checkout, right(execution_run_id::text, 2) AS execution
FROM paperclip.issues WHERE id = :'I';
SELECT action, actor_type, details->>'previousCheckoutRunId' AS previous, right(details->>'checkoutRunId', 2) AS run,
       details->>'reason' AS reason
FROM audit WHERE issue = '101' AND action = 'issue.checkout_lock_adopted';
-- A comment adopting an unowned checkout is recorded the same way.
RESET ROLE;
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id)
    VALUES (:'U', :'C', 'unowned', 'in_progress', :'A');
SET ROLE regress_sec_asg_app;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
INSERT INTO paperclip.issue_comments (company_id, issue_id, body) VALUES (:'C', :'U', 'mine now');
COMMIT;
SELECT action, details->>'previousCheckoutRunId' AS previous, right(details->>'checkoutRunId', 2) AS run,
       details->>'reason' AS reason
FROM audit WHERE issue = '103' AND action = 'issue.checkout_lock_adopted';
RESET ROLE;

-- Operators are held to the same assignee rules when they UPDATE (they may
-- write lock columns, not break assignments) ...
UPDATE paperclip.issues SET assignee_agent_id = :'X' WHERE id = :'U';
UPDATE paperclip.issues SET assignee_agent_id = :'T' WHERE id = :'U';
-- ... and to the same company when they INSERT: a restore or an import brings
-- back issues whose assignee was terminated after it was assigned.
INSERT INTO paperclip.issues (id, company_id, title, assignee_agent_id)
    VALUES ('0000a007-0000-4000-8000-000000000104', :'C', 'imported', :'T');
INSERT INTO paperclip.issues (id, company_id, title, assignee_agent_id)
    VALUES ('0000a007-0000-4000-8000-000000000105', :'C', 'imported', :'X');
SELECT right(id::text, 3) AS issue, right(assignee_agent_id::text, 2) AS assignee
FROM paperclip.issues WHERE id IN ('0000a007-0000-4000-8000-000000000104', '0000a007-0000-4000-8000-000000000105');
-- A terminated agent that is already the assignee does not block other edits.
UPDATE paperclip.agents SET status = 'terminated' WHERE id = :'A';
SET ROLE regress_sec_asg_app;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET description = 'still editable' WHERE id = :'U';
COMMIT;
RESET ROLE;
DROP OWNED BY regress_sec_asg_app;
DROP ROLE regress_sec_asg_app;
