-- paperclip_locks demo: two agents, one issue, a run that dies, an operator.
\set VERBOSITY verbose
-- The set-up stops the demo at its first error; the session below shows errors on purpose.
\set ON_ERROR_STOP 1
CREATE EXTENSION paperclip_locks;

-- A company, two agents, their runs, one issue.
INSERT INTO paperclip.companies (id, name, issue_prefix)
    VALUES ('c0000000-0000-4000-8000-000000000001', 'Acme', 'ACME');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES ('c0000000-0000-4000-8000-000000000001', 'user', 'alice@acme.test', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    ('a0000000-0000-4000-8000-00000000000a', 'c0000000-0000-4000-8000-000000000001', 'CodexCoder'),
    ('a0000000-0000-4000-8000-00000000000b', 'c0000000-0000-4000-8000-000000000001', 'Reviewer');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    ('f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000a', 'running'),
    ('f0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000b', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status)
    VALUES ('e0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'Fix the login page', 'todo');

-- CodexCoder's run checks the issue out: the actor is set for the transaction.
BEGIN;
SELECT paperclip.set_actor_agent('a0000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000001');
SELECT * FROM paperclip.current_actor();
SELECT status, assignee_agent_id, checkout_run_id, execution_agent_name_key
FROM paperclip.checkout('e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000a', '{todo}');
COMMIT;
\set ON_ERROR_STOP 0

-- Reviewer tries too: 409, and the detail says why (wait or give up).
BEGIN;
SELECT paperclip.set_actor_agent('a0000000-0000-4000-8000-00000000000b', 'f0000000-0000-4000-8000-000000000002');
SELECT status FROM paperclip.checkout('e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000b', '{todo,in_progress}');
ROLLBACK;

-- SET cannot forge an actor.
SET paperclip.actor = 'a0000000-0000-4000-8000-00000000000b';

-- Any client obeys the same rules: Reviewer's plain UPDATE of CodexCoder's
-- issue is refused by the trigger.
BEGIN;
SELECT paperclip.set_actor_agent('a0000000-0000-4000-8000-00000000000b', 'f0000000-0000-4000-8000-000000000002');
UPDATE paperclip.issues SET title = 'mine now' WHERE id = 'e0000000-0000-4000-8000-000000000001';
ROLLBACK;

-- The operator's view of held locks.
SELECT issue_id, status, checkout_run_status, stale FROM paperclip.issue_locks;

-- CodexCoder's run crashes: the moment its status turns terminal, the locks
-- it held are released, in the same transaction, and recorded.
UPDATE paperclip.heartbeat_runs SET status = 'failed', finished_at = now()
WHERE id = 'f0000000-0000-4000-8000-000000000001';
SELECT issue_id FROM paperclip.issue_locks;

-- CodexCoder's next run is not stranded: it takes the issue over.
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    ('f0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000a', 'running');
BEGIN;
SELECT paperclip.set_actor_agent('a0000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000003');
SELECT status, checkout_run_id
FROM paperclip.checkout('e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000a', '{in_progress}');
COMMIT;

-- A board member force-releases it, on the record.
BEGIN;
SELECT paperclip.set_actor_board('alice@acme.test');
SELECT * FROM paperclip.admin_force_release('e0000000-0000-4000-8000-000000000001',
                                            clear_assignee => true, reason => 'demo');
COMMIT;

-- The audit trail, written in the same transactions as the changes.
SELECT action, actor_type, actor_id, details FROM paperclip.activity_log ORDER BY created_at, action;

-- Run leases (SPEC §9): a harness killed mid-run. Its run renews a lease
-- bound to its own database session; nobody will ever write its terminal
-- status. (The demo cluster preloads paperclip_locks, so the lease reaper
-- watches this database.)
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    ('f0000000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000a', 'running'),
    ('f0000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000a', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status)
    VALUES ('e0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', 'Write the release notes', 'todo');
-- The harness: its own connection checks the issue out, binds the lease to
-- itself, and works (here: sleeps).
\! psql -X -q -v ON_ERROR_STOP=1 -c "SET application_name = 'harness'" -c "BEGIN" -c "SELECT paperclip.set_actor_agent('a0000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000004')" -c "SELECT 1 FROM paperclip.checkout('e0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-00000000000a', '{todo}')" -c "SELECT paperclip.renew_run_lease('f0000000-0000-4000-8000-000000000004', '10 minutes', bind_session => true)" -c "COMMIT" -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
SELECT pg_sleep(1);
SELECT issue_id, checkout_run_status, checkout_run_lease_expires_at > now() AS lease_current, stale
FROM paperclip.issue_locks WHERE issue_id = 'e0000000-0000-4000-8000-000000000002';
-- The harness is killed (its connection ends with it).
SELECT pg_terminate_backend(pid, 5000) AS harness_killed FROM pg_stat_activity WHERE application_name = 'harness';
-- About a second later the reaper has released its locks; the run's status
-- still says running.
SELECT pg_sleep(1.5);
SELECT status, checkout_run_id FROM paperclip.issues WHERE id = 'e0000000-0000-4000-8000-000000000002';
SELECT status FROM paperclip.heartbeat_runs WHERE id = 'f0000000-0000-4000-8000-000000000004';
SELECT details->>'reason' AS reason, details->>'source' AS source FROM paperclip.activity_log
WHERE entity_id = 'e0000000-0000-4000-8000-000000000002' AND action = 'issue.stale_lock_cleared';
-- The successor run takes the issue over; the dead run's lease is never renewed again.
BEGIN;
SELECT paperclip.set_actor_agent('a0000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000005');
SELECT checkout_run_id FROM paperclip.checkout('e0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-00000000000a', '{in_progress}');
COMMIT;
SELECT paperclip.renew_run_lease('f0000000-0000-4000-8000-000000000004');
