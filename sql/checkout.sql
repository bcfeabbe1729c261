-- paperclip.checkout(issue_id, agent_id, expected_statuses, run_id): SPEC §4.3.
-- Numbers in brackets are the scenarios of paperclip-semantics.md §7.
\set VERBOSITY verbose
\set C  '00000006-0000-4000-8000-0000000000c1'
\set C2 '00000006-0000-4000-8000-0000000000c2'
\set A  '00000006-0000-4000-8000-0000000000a1'
\set B  '00000006-0000-4000-8000-0000000000b1'
\set Z  '00000006-0000-4000-8000-0000000000d1'
\set TERMINATED '00000006-0000-4000-8000-0000000000a2'
\set PENDING '00000006-0000-4000-8000-0000000000a3'
\set R  '00000006-0000-4000-8000-000000000001'
\set R2 '00000006-0000-4000-8000-000000000002'
\set F  '00000006-0000-4000-8000-000000000003'
\set T  '00000006-0000-4000-8000-000000000004'
\set L  '00000006-0000-4000-8000-000000000005'
\set S  '00000006-0000-4000-8000-000000000006'
\set P  '00000006-0000-4000-8000-000000000007'
\set I  '00000006-0000-4000-8000-000000000008'
\set RB '00000006-0000-4000-8000-000000000011'
\set XB '00000006-0000-4000-8000-000000000012'
\set RZ '00000006-0000-4000-8000-000000000021'

INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES
    (:'C', 'Checkout Co', 'CHK'), (:'C2', 'Other Co', 'CHK2');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES (:'C', 'user', 'board-user', 'admin');
INSERT INTO paperclip.agents (id, company_id, name, status) VALUES
    (:'A', :'C', 'CodexCoder', 'active'),
    (:'B', :'C', 'Builder Bot', 'active'),
    (:'TERMINATED', :'C', 'Gone', 'terminated'),
    (:'PENDING', :'C', 'Newcomer', 'pending_approval'),
    (:'Z', :'C2', 'Outsider', 'active');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'R', :'C', :'A', 'running'), (:'R2', :'C', :'A', 'running'),
    (:'F', :'C', :'A', 'failed'), (:'T', :'C', :'A', 'timed_out'),
    (:'L', :'C', :'A', 'running'), (:'S', :'C', :'A', 'scheduled_retry'),
    (:'P', :'C', :'A', 'provisioning'), (:'I', :'C', :'A', 'interrupted'),
    (:'RB', :'C', :'B', 'running'), (:'XB', :'C', :'B', 'failed'),
    (:'RZ', :'C2', :'Z', 'running');

-- Issue ids: 00000006-0000-4000-8000-000000000NNN, NNN = scenario number.
CREATE TEMP VIEW issue_state AS
    SELECT right(id::text, 3) AS issue, status, assignee_agent_id AS assignee,
           checkout_run_id, execution_run_id, execution_agent_name_key AS name_key,
           execution_locked_at IS NOT NULL AS locked_at_set, started_at IS NOT NULL AS started
    FROM paperclip.issues WHERE company_id = '00000006-0000-4000-8000-0000000000c1';
CREATE TEMP VIEW audit AS
    SELECT right(entity_id, 3) AS issue, action, actor_type, details
    FROM paperclip.activity_log WHERE company_id = '00000006-0000-4000-8000-0000000000c1';

-- [1] an unassigned todo issue: the agent's run takes it; both lock columns
-- name the run, the name key and lock time are set, one issue.checked_out row.
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    ('00000006-0000-4000-8000-000000000001', :'C', 'one', 'todo');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status, assignee_agent_id, assignee_user_id, checkout_run_id, execution_run_id,
       execution_agent_name_key, started_at IS NOT NULL AS started
FROM paperclip.checkout('00000006-0000-4000-8000-000000000001', :'A', '{todo}');
COMMIT;
SELECT * FROM audit WHERE issue = '001';

-- [2] a backlog issue already assigned to the agent, expected backlog or todo.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
    ('00000006-0000-4000-8000-000000000002', :'C', 'two', 'backlog', :'A');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status, checkout_run_id, execution_run_id
FROM paperclip.checkout('00000006-0000-4000-8000-000000000002', :'A', '{backlog,todo}');
COMMIT;

-- [3] a done issue with expected todo: 409 status_not_expected, no change, no audit row.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
    ('00000006-0000-4000-8000-000000000003', :'C', 'three', 'done', :'A');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000003', :'A', '{todo}');
ROLLBACK;
SELECT * FROM issue_state WHERE issue = '003';
SELECT count(*) AS audit_rows FROM audit WHERE issue = '003';

-- [4] the run that holds it checks out again: the row comes back unchanged.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status, checkout_run_id, execution_run_id, started_at = (SELECT started_at FROM paperclip.issues
       WHERE id = '00000006-0000-4000-8000-000000000001') AS started_unchanged
FROM paperclip.checkout('00000006-0000-4000-8000-000000000001', :'A', '{todo}');
COMMIT;

-- [5] a todo issue assigned to another agent: 409 assigned_to_other_agent.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
    ('00000006-0000-4000-8000-000000000005', :'C', 'five', 'todo', :'B');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000005', :'A', '{todo}');
ROLLBACK;
SELECT * FROM issue_state WHERE issue = '005';

-- [6] a board user checks out for an agent: no run, so no lock columns;
-- audited as the user.
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    ('00000006-0000-4000-8000-000000000006', :'C', 'six', 'todo');
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id
FROM paperclip.checkout('00000006-0000-4000-8000-000000000006', :'A', '{todo}');
COMMIT;
SELECT * FROM audit WHERE issue = '006';

-- [7] a scheduler holds the execution lock with live run L: a board checkout
-- (no run) cannot take it: 409 held_by_live_run.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
    ('00000006-0000-4000-8000-000000000007', :'C', 'seven', 'todo', :'A');
SELECT paperclip.acquire_execution_lock('00000006-0000-4000-8000-000000000007', :'L');
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000007', :'A', '{todo}');
ROLLBACK;

-- [8] in_progress, assigned to the agent, no locks: its run adopts the
-- unowned checkout even though in_progress is not an expected status.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id) VALUES
    ('00000006-0000-4000-8000-000000000008', :'C', 'eight', 'in_progress', :'A');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status, checkout_run_id, execution_run_id, execution_agent_name_key
FROM paperclip.checkout('00000006-0000-4000-8000-000000000008', :'A', '{todo}');
COMMIT;

-- [9] execution lock already names this run, no checkout run: the guarded
-- update takes it and started_at is stamped again.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, execution_run_id,
                              execution_agent_name_key, execution_locked_at, started_at) VALUES
    ('00000006-0000-4000-8000-000000000009', :'C', 'nine', 'in_progress', :'A', :'R',
     'codexcoder', now(), '2020-01-01');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT checkout_run_id, execution_run_id, started_at > '2020-01-01' AS started_restamped
FROM paperclip.checkout('00000006-0000-4000-8000-000000000009', :'A', '{in_progress}');
COMMIT;

-- [10] the holder run failed: the assignee's new run takes the issue, and
-- what was cleared is recorded (run id and its status).
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id,
                              execution_run_id, execution_agent_name_key, execution_locked_at) VALUES
    ('00000006-0000-4000-8000-000000000010', :'C', 'ten', 'in_progress', :'A', :'F', :'F',
     'codexcoder', now());
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R2');
SELECT status, checkout_run_id, execution_run_id
FROM paperclip.checkout('00000006-0000-4000-8000-000000000010', :'A', '{in_progress}');
COMMIT;
SELECT * FROM audit WHERE issue = '010' ORDER BY action;

-- [11] todo, assigned to B, checkout_run_id names B's failed run: B's new run
-- self-heals the stale lock and checks out.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id) VALUES
    ('00000006-0000-4000-8000-000000000011', :'C', 'eleven', 'todo', :'B', :'XB');
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id
FROM paperclip.checkout('00000006-0000-4000-8000-000000000011', :'B', '{todo}');
COMMIT;

-- [12] unassigned todo with a failed execution run: cleared, then checked out.
INSERT INTO paperclip.issues (id, company_id, title, status, execution_run_id) VALUES
    ('00000006-0000-4000-8000-000000000012', :'C', 'twelve', 'todo', :'F');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status, checkout_run_id, execution_run_id
FROM paperclip.checkout('00000006-0000-4000-8000-000000000012', :'A', '{todo}');
COMMIT;

-- [13] both locks name a timed_out run: the new run takes them.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id,
                              execution_run_id) VALUES
    ('00000006-0000-4000-8000-000000000013', :'C', 'thirteen', 'in_progress', :'A', :'T', :'T');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT checkout_run_id, execution_run_id
FROM paperclip.checkout('00000006-0000-4000-8000-000000000013', :'A', '{in_progress}');
COMMIT;

-- [15] a scheduled_retry run holds the execution lock: 409 naming it.
INSERT INTO paperclip.issues (id, company_id, title, status, execution_run_id) VALUES
    ('00000006-0000-4000-8000-000000000015', :'C', 'fifteen', 'todo', :'S');
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000015', :'B', '{todo}');
ROLLBACK;

-- [16] an unknown status (provisioning) holds too: an unassigned todo issue
-- whose execution lock names a provisioning run is 409 held_by_live_run.
INSERT INTO paperclip.issues (id, company_id, title, status, execution_run_id) VALUES
    ('00000006-0000-4000-8000-000000000016', :'C', 'sixteen', 'todo', :'P');
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000016', :'B', '{todo}');
ROLLBACK;

-- [17] interrupted is terminal: the lock is cleared and the checkout succeeds.
INSERT INTO paperclip.issues (id, company_id, title, status, execution_run_id) VALUES
    ('00000006-0000-4000-8000-000000000017', :'C', 'seventeen', 'todo', :'I');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status, checkout_run_id, execution_run_id
FROM paperclip.checkout('00000006-0000-4000-8000-000000000017', :'A', '{todo}');
COMMIT;

-- [18] a live run L holds it; another run of the same agent, with statuses
-- that exclude in_progress: 409 held_by_live_run, no change, no audit row.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id,
                              execution_run_id) VALUES
    ('00000006-0000-4000-8000-000000000018', :'C', 'eighteen', 'in_progress', :'A', :'L', :'L');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000018', :'A',
                                      '{todo,backlog,blocked,in_review}');
ROLLBACK;
SELECT * FROM issue_state WHERE issue = '018';
SELECT count(*) AS audit_rows FROM audit WHERE issue = '018';

-- Two runs cannot both hold one issue: with in_progress expected, the other
-- live run of the same agent still gets 409 held_by_live_run.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000018', :'A', '{in_progress}');
ROLLBACK;

-- [19] another agent's issue held by that agent's failed run: the stale lock
-- is no reason to refuse, the assignment is: 409 assigned_to_other_agent, and
-- since a conflict changes nothing, the row still names B and X.
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id,
                              execution_run_id) VALUES
    ('00000006-0000-4000-8000-000000000019', :'C', 'nineteen', 'in_progress', :'B', :'XB', :'XB');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000019', :'A', '{in_progress}');
ROLLBACK;
SELECT * FROM issue_state WHERE issue = '019';

-- [21] a cancelled blocker is unresolved: 422 with its id. Done blockers are resolved.
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    ('00000006-0000-4000-8000-000000000021', :'C', 'blocked one', 'todo'),
    ('00000006-0000-4000-8000-000000000121', :'C', 'cancelled blocker', 'cancelled'),
    ('00000006-0000-4000-8000-000000000221', :'C', 'done blocker', 'done');
INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id, type) VALUES
    (:'C', '00000006-0000-4000-8000-000000000121', '00000006-0000-4000-8000-000000000021', 'blocks'),
    (:'C', '00000006-0000-4000-8000-000000000221', '00000006-0000-4000-8000-000000000021', 'blocks');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000021', :'A', '{todo}');
ROLLBACK;
UPDATE paperclip.issues SET status = 'done' WHERE id = '00000006-0000-4000-8000-000000000121';
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000021', :'A', '{todo}');
COMMIT;

-- [22] the agent must be assignable.
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    ('00000006-0000-4000-8000-000000000022', :'C', 'twenty-two', 'todo');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'TERMINATED', '{todo}');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'PENDING', '{todo}');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'Z', '{todo}');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022',
                                      '00000006-0000-4000-8000-00000000dead', '{todo}');

-- [23] unknown issue.
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-00000000beef', :'A', '{todo}');

-- [24] an agent checks out only as itself.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'B', '{todo}');
ROLLBACK;

-- [25] an agent without a run id.
BEGIN;
SELECT paperclip.set_actor_agent(:'A');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'A', '{todo}');
ROLLBACK;

-- [26] bad arguments: 400 Validation error.
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'A', '{}');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'A', '{open}');
SELECT status FROM paperclip.checkout(NULL, :'A', '{todo}');

-- [27] an agent of another company.
BEGIN;
SELECT paperclip.set_actor_agent(:'Z', :'RZ');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'Z', '{todo}');
ROLLBACK;

-- [28] subtree pause holds are not part of this contract (SPEC §4.3 has none).

-- The checkout run must exist, belong to the agent and be live (SPEC §4.3):
-- upstream never checked, and users asked for it.
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'A', '{todo}',
                                      '00000006-0000-4000-8000-00000000dead');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'A', '{todo}', :'RB');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'A', '{todo}', :'F');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'F');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'A', '{todo}');
ROLLBACK;
SELECT * FROM issue_state WHERE issue = '022';

-- A board user without write access to the company.
BEGIN;
SELECT paperclip.set_actor_board('stranger');
SELECT status FROM paperclip.checkout('00000006-0000-4000-8000-000000000022', :'A', '{todo}');
ROLLBACK;

-- Every issue.checked_out row belongs to a checkout that committed.
SELECT issue, details FROM audit WHERE action = 'issue.checked_out' ORDER BY issue;
