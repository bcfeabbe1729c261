-- Triggers (SPEC §6): the same rules for every client. Plain UPDATE and INSERT
-- statements, as psql, an ORM or a script would send them. Numbers in
-- brackets are the scenarios of paperclip-semantics.md §7.
\set VERBOSITY verbose
\set C  '0000000d-0000-4000-8000-0000000000c1'
\set C2 '0000000d-0000-4000-8000-0000000000c2'
\set A  '0000000d-0000-4000-8000-0000000000a1'
\set B  '0000000d-0000-4000-8000-0000000000b1'
\set M  '0000000d-0000-4000-8000-0000000000e1'
\set R  '0000000d-0000-4000-8000-000000000001'
\set R2 '0000000d-0000-4000-8000-000000000002'
\set F  '0000000d-0000-4000-8000-000000000003'
\set T  '0000000d-0000-4000-8000-000000000004'
\set L  '0000000d-0000-4000-8000-000000000005'
\set RB '0000000d-0000-4000-8000-000000000011'
\set RM '0000000d-0000-4000-8000-000000000021'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Triggers Co', 'TRG'), (:'C2', 'Elsewhere', 'TRG2');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role) VALUES
    (:'C', 'user', 'board-user', 'admin'), (:'C', 'user', 'viewer-user', 'viewer');
INSERT INTO paperclip.agents (id, company_id, name, permissions) VALUES
    (:'A', :'C', 'CodexCoder', '{}'), (:'B', :'C', 'Builder', '{}'),
    (:'M', :'C', 'Manager', '{"tasks:manage_active_checkouts": true}');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'R', :'C', :'A', 'running'), (:'R2', :'C', :'A', 'running'), (:'F', :'C', :'A', 'failed'),
    (:'T', :'C', :'A', 'timed_out'), (:'L', :'C', :'A', 'running'), (:'RB', :'C', :'B', 'running'),
    (:'RM', :'C', :'M', 'running');
-- Issue ids: 0000000d-0000-4000-8000-000000000NNN.
CREATE TEMP VIEW issue_state AS
    SELECT right(id::text, 3) AS issue, title, status, right(assignee_agent_id::text, 2) AS assignee,
           right(checkout_run_id::text, 2) AS checkout, right(execution_run_id::text, 2) AS execution,
           execution_agent_name_key AS name_key, execution_locked_at IS NOT NULL AS locked_at_set
    FROM paperclip.issues WHERE company_id = '0000000d-0000-4000-8000-0000000000c1';
CREATE TEMP VIEW audit AS
    SELECT right(entity_id, 3) AS issue, action, actor_type, details
    FROM paperclip.activity_log WHERE company_id = '0000000d-0000-4000-8000-0000000000c1';

-- [29] and upstream "allows an assigned agent PATCH to recover a terminal
-- stale executionRunId": in_progress, assignee A, no checkout run, the
-- execution lock names A's failed run. A plain UPDATE by A's new run passes;
-- the failed run's lock is cleared (and recorded) and the run adopts the issue.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, execution_run_id) VALUES
    ('0000000d-0000-4000-8000-000000000029', :'C', 'before', 'in_progress', :'A', :'F');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
UPDATE paperclip.issues SET title = 'recovered' WHERE id = '0000000d-0000-4000-8000-000000000029';
COMMIT;
SELECT * FROM issue_state WHERE issue = '029';
SELECT action, details->>'lock' AS lock, details->>'previousRunStatus' AS prev_status, details->>'source' AS source
FROM audit WHERE issue = '029';

-- [30] both locks name a timed_out run: the new run takes them over, and the
-- adoption is recorded with the run it replaced.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id) VALUES
    ('0000000d-0000-4000-8000-000000000030', :'C', 'before', 'in_progress', :'A', :'T', :'T');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
UPDATE paperclip.issues SET title = 'adopted' WHERE id = '0000000d-0000-4000-8000-000000000030';
COMMIT;
SELECT * FROM issue_state WHERE issue = '030';
SELECT action, details FROM audit WHERE issue = '030';

-- [31] a live run L holds A's issue: A's other run gets 409 and nothing changes.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id) VALUES
    ('0000000d-0000-4000-8000-000000000031', :'C', 'before', 'in_progress', :'A', :'L', :'L');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R2');
UPDATE paperclip.issues SET title = 'stolen' WHERE id = '0000000d-0000-4000-8000-000000000031';
ROLLBACK;
-- ... and so does a comment.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R2');
INSERT INTO paperclip.issue_comments (company_id, issue_id, body)
    VALUES (:'C', '0000000d-0000-4000-8000-000000000031', 'me too');
ROLLBACK;
SELECT * FROM issue_state WHERE issue = '031';
-- The holding run writes and comments; the comment's author is filled in.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'L');
UPDATE paperclip.issues SET title = 'by the holder' WHERE id = '0000000d-0000-4000-8000-000000000031';
INSERT INTO paperclip.issue_comments (company_id, issue_id, body)
    VALUES (:'C', '0000000d-0000-4000-8000-000000000031', 'progress')
    RETURNING right(author_agent_id::text, 2) AS author_agent, author_user_id;
COMMIT;
-- Nobody comments as someone else, or under another company than the
-- issue's: the holding run's comment in B's name (403), a board user's in
-- another user's name (403), a comment filed under company C2 (422).
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'L');
INSERT INTO paperclip.issue_comments (company_id, issue_id, author_agent_id, body)
    VALUES (:'C', '0000000d-0000-4000-8000-000000000031', :'B', 'in B''s name');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.issue_comments (company_id, issue_id, author_user_id, body)
    VALUES (:'C', '0000000d-0000-4000-8000-000000000031', 'viewer-user', 'in another user''s name');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.issue_comments (company_id, issue_id, body)
    VALUES (:'C2', '0000000d-0000-4000-8000-000000000031', 'filed elsewhere');
ROLLBACK;

-- [32] the writing run is itself failed: it cannot adopt anything (409).
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
    ('0000000d-0000-4000-8000-000000000032', :'C', 'before', 'in_progress', :'A');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'F');
UPDATE paperclip.issues SET title = 'from a dead run' WHERE id = '0000000d-0000-4000-8000-000000000032';
ROLLBACK;

-- [33] an agent without a run id on its own in_progress issue: 401.
BEGIN;
SELECT paperclip.set_actor_agent(:'A');
UPDATE paperclip.issues SET title = 'no run' WHERE id = '0000000d-0000-4000-8000-000000000032';
ROLLBACK;

-- [34] outside in_progress there is no ownership check; the locks stay.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, execution_run_id) VALUES
    ('0000000d-0000-4000-8000-000000000034', :'C', 'before', 'todo', :'A', :'L');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
UPDATE paperclip.issues SET title = 'todo edit' WHERE id = '0000000d-0000-4000-8000-000000000034';
COMMIT;
SELECT * FROM issue_state WHERE issue = '034';

-- [35] another agent's in_progress issue: 409 Issue is checked out by another agent.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id) VALUES
    ('0000000d-0000-4000-8000-000000000035', :'C', 'before', 'in_progress', :'B', :'RB', :'RB');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
UPDATE paperclip.issues SET title = 'not mine' WHERE id = '0000000d-0000-4000-8000-000000000035';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
DELETE FROM paperclip.issues WHERE id = '0000000d-0000-4000-8000-000000000035';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
INSERT INTO paperclip.issue_comments (company_id, issue_id, body)
    VALUES (:'C', '0000000d-0000-4000-8000-000000000035', 'drive-by');
ROLLBACK;

-- [36] another agent's issue in any other status: 403.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
    ('0000000d-0000-4000-8000-000000000036', :'C', 'before', 'todo', :'B');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
UPDATE paperclip.issues SET title = 'not mine either' WHERE id = '0000000d-0000-4000-8000-000000000036';
ROLLBACK;

-- [37] an agent granted tasks:manage_active_checkouts may write B's in_progress issue.
BEGIN;
SELECT paperclip.set_actor_agent(:'M', :'RM');
UPDATE paperclip.issues SET title = 'managed' WHERE id = '0000000d-0000-4000-8000-000000000035';
COMMIT;
SELECT * FROM issue_state WHERE issue = '035';

-- [38] a board user with write access edits over the lock; the locks stay.
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET title = 'board edit' WHERE id = '0000000d-0000-4000-8000-000000000031';
COMMIT;
SELECT * FROM issue_state WHERE issue = '031';
-- A viewer may not write; neither may a user with no membership.
BEGIN;
SELECT paperclip.set_actor_board('viewer-user');
UPDATE paperclip.issues SET title = 'viewer edit' WHERE id = '0000000d-0000-4000-8000-000000000031';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('stranger');
UPDATE paperclip.issues SET title = 'stranger edit' WHERE id = '0000000d-0000-4000-8000-000000000031';
ROLLBACK;

-- [39] leaving in_progress clears the four lock columns ...
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'L');
UPDATE paperclip.issues SET status = 'in_review' WHERE id = '0000000d-0000-4000-8000-000000000031';
COMMIT;
SELECT * FROM issue_state WHERE issue = '031';
-- ... and so does a new assignee.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id,
                              execution_agent_name_key, execution_locked_at) VALUES
    ('0000000d-0000-4000-8000-000000000039', :'C', 'before', 'in_progress', :'A', :'R', :'R', 'codexcoder', now());
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET assignee_agent_id = :'B' WHERE id = '0000000d-0000-4000-8000-000000000039';
COMMIT;
SELECT * FROM issue_state WHERE issue = '039';

-- [40] in_progress needs an assignee; at most one assignee.
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    ('0000000d-0000-4000-8000-000000000040', :'C', 'before', 'todo');
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET status = 'in_progress' WHERE id = '0000000d-0000-4000-8000-000000000040';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET assignee_agent_id = :'A', assignee_user_id = 'board-user'
WHERE id = '0000000d-0000-4000-8000-000000000040';
ROLLBACK;

-- [41] interrupting runs from comments is an application feature, not part of this contract.

-- Status side effects: started_at on in_progress, completed_at on done,
-- cancelled_at on cancelled; leaving done or cancelled clears them.
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET status = 'in_progress', assignee_user_id = 'board-user'
WHERE id = '0000000d-0000-4000-8000-000000000040'
RETURNING status, started_at IS NOT NULL AS started, completed_at IS NOT NULL AS completed;
UPDATE paperclip.issues SET status = 'done' WHERE id = '0000000d-0000-4000-8000-000000000040'
RETURNING status, completed_at IS NOT NULL AS completed, cancelled_at IS NOT NULL AS cancelled;
UPDATE paperclip.issues SET status = 'cancelled' WHERE id = '0000000d-0000-4000-8000-000000000040'
RETURNING status, completed_at IS NOT NULL AS completed, cancelled_at IS NOT NULL AS cancelled;
UPDATE paperclip.issues SET status = 'todo' WHERE id = '0000000d-0000-4000-8000-000000000040'
RETURNING status, completed_at IS NOT NULL AS completed, cancelled_at IS NOT NULL AS cancelled;
COMMIT;

-- Lock columns move only through the functions: agents and board users may
-- not write them; a database operator may (repairs, fixtures).
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
UPDATE paperclip.issues SET checkout_run_id = NULL WHERE id = '0000000d-0000-4000-8000-000000000030';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET execution_run_id = :'R2' WHERE id = '0000000d-0000-4000-8000-000000000030';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.issues (company_id, title, status, assignee_agent_id, checkout_run_id)
    VALUES (:'C', 'pre-locked', 'in_progress', :'A', :'R');
ROLLBACK;
UPDATE paperclip.issues SET checkout_run_id = :'R2', execution_run_id = :'R2'
WHERE id = '0000000d-0000-4000-8000-000000000030';
SELECT * FROM issue_state WHERE issue = '030';

-- execution_run_id IS NULL implies its companions are NULL, whoever writes.
UPDATE paperclip.issues SET execution_run_id = NULL WHERE id = '0000000d-0000-4000-8000-000000000029';
SELECT * FROM issue_state WHERE issue = '029';

-- A run that turns terminal releases its locks in that transaction, recorded.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
    ('0000000d-0000-4000-8000-000000000050', :'C', 'run dies', 'todo', :'A');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R2');
SELECT status FROM paperclip.checkout('0000000d-0000-4000-8000-000000000050', :'A', '{todo}');
COMMIT;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R2');
UPDATE paperclip.heartbeat_runs SET status = 'failed' WHERE id = :'R2';
SELECT * FROM issue_state WHERE checkout = '02' OR execution = '02' ORDER BY issue;
COMMIT;
SELECT * FROM issue_state WHERE issue IN ('030', '050') ORDER BY issue;
SELECT issue, action, details->>'previousRunStatus' AS prev_status, details->>'source' AS source
FROM audit WHERE details->>'source' = 'run_terminal' ORDER BY issue, details->>'lock';

-- Deleting a run (the foreign key's ON DELETE SET NULL) clears the columns
-- and their companions, whoever deletes it.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
    ('0000000d-0000-4000-8000-000000000051', :'C', 'run deleted', 'todo', :'B');
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
SELECT status FROM paperclip.checkout('0000000d-0000-4000-8000-000000000051', :'B', '{todo}');
COMMIT;
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
UPDATE paperclip.issues SET title = 'unrelated' WHERE id = '0000000d-0000-4000-8000-000000000051';
DELETE FROM paperclip.heartbeat_runs WHERE id = :'RB';
COMMIT;
SELECT * FROM issue_state WHERE issue IN ('035', '051') ORDER BY issue;

-- Inserting: an agent only in its own company; a board user only where it may write.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
INSERT INTO paperclip.issues (company_id, title) VALUES (:'C', 'agent filed') RETURNING title, status;
INSERT INTO paperclip.issues (company_id, title) VALUES (:'C2', 'elsewhere');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.issues (company_id, title) VALUES (:'C2', 'elsewhere');
ROLLBACK;
