-- Variant 2, the application's way: what the upstream service (Paperclip's
-- issue routes and issueService, current version "S-B", paperclip-semantics.md
-- §3.1-3.4, §3.11) sends for checkout -> PATCH title -> release, one statement
-- per round trip, each step in its own short transaction as upstream runs
-- them, on schema app (plain tables, no triggers). The route-level audit rows
-- paperclip_locks also writes (issue.checked_out, issue.released) are
-- included; upstream's extra issue.updated row is not (paperclip_locks writes
-- none). Where the reference leaves a read open, the cheaper reading is taken
-- (e.g. one SELECT ... FOR UPDATE returns the columns the next check needs).
-- Not modelled (they would only add round trips): agent API-key
-- authentication, pause holds, labels, wake-ups.
-- Client c acts as agent 10c (company c) with its live run 1000c, on a
-- random issue of its own range of :block issues: clients never collide.
\set agent_n :client_id * 10
\set n :agent_n * :block + random(0, :block - 1)
\set issue 100000000000 + :n
\set agent 100000000000 + :agent_n
\set run 100000000000 + :agent_n * 100
\set company 100000000000 + :agent_n / 10
\set t random(1, 1000000000)

-- ===== POST /issues/:id/checkout =====
-- route: router.param resolves the issue (404), assertCompanyAccess in memory
SELECT * FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid;
-- checkout step 1: the company
SELECT company_id FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid;
-- step 2: assertAssignableAgent
SELECT * FROM app.agents WHERE id = ('a0000000-0000-4000-8000-' || :agent)::uuid;
-- step 4: clearExecutionRunIfTerminal (own transaction; no execution run -> false)
BEGIN;
SELECT id, execution_run_id FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid FOR UPDATE;
COMMIT;
-- step 4 (S-B): clearCheckoutRunIfTerminal (own transaction; no checkout run -> false)
BEGIN;
SELECT id, checkout_run_id, execution_run_id FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid FOR UPDATE;
COMMIT;
-- step 5: dependency readiness
SELECT r.issue_id, b.status FROM app.issue_relations AS r JOIN app.issues AS b ON b.id = r.issue_id
WHERE r.related_issue_id = ('e0000000-0000-4000-8000-' || :issue)::uuid AND r.type = 'blocks' AND b.status <> 'done';
-- step 6: the main atomic UPDATE (autocommit); \gset asserts it matched
UPDATE app.issues SET assignee_agent_id = ('a0000000-0000-4000-8000-' || :agent)::uuid, assignee_user_id = NULL,
    checkout_run_id = ('f0000000-0000-4000-8000-' || :run)::uuid, execution_run_id = ('f0000000-0000-4000-8000-' || :run)::uuid,
    status = 'in_progress', started_at = now(), updated_at = now()
WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid AND status = ANY ('{todo}')
  AND (assignee_agent_id IS NULL OR (assignee_agent_id = ('a0000000-0000-4000-8000-' || :agent)::uuid
       AND (checkout_run_id IS NULL OR checkout_run_id = ('f0000000-0000-4000-8000-' || :run)::uuid)))
  AND (execution_run_id IS NULL OR execution_run_id = ('f0000000-0000-4000-8000-' || :run)::uuid)
RETURNING * \gset co_
-- route: logActivity issue.checked_out
INSERT INTO app.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id, details)
VALUES (('c0000000-0000-4000-8000-' || :company)::uuid, 'agent', ('a0000000-0000-4000-8000-' || :agent), 'issue.checked_out',
        'issue', ('e0000000-0000-4000-8000-' || :issue), ('a0000000-0000-4000-8000-' || :agent)::uuid,
        ('f0000000-0000-4000-8000-' || :run)::uuid, jsonb_build_object('agentId', ('a0000000-0000-4000-8000-' || :agent)));

-- ===== PATCH /issues/:id {title} =====
SELECT * FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid;
-- ownership gate -> assertCheckoutOwner (S-B): clearExecutionRunIfTerminal
BEGIN;
SELECT id, execution_run_id FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid FOR UPDATE;
SELECT id, status FROM app.heartbeat_runs WHERE id IN (('f0000000-0000-4000-8000-' || :run)::uuid) ORDER BY id FOR UPDATE;
COMMIT;
-- ... clearCheckoutRunIfTerminal
BEGIN;
SELECT id, checkout_run_id, execution_run_id FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid FOR UPDATE;
SELECT id, status FROM app.heartbeat_runs WHERE id IN (('f0000000-0000-4000-8000-' || :run)::uuid) ORDER BY id FOR UPDATE;
COMMIT;
-- ... resolveOwnership on the current row (sameRunLock passes)
SELECT id, status, assignee_agent_id, checkout_run_id, execution_run_id FROM app.issues
WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid;
-- svc.update (S-B): under the row lock, re-check the run, write
BEGIN;
SELECT * FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid FOR UPDATE;
SELECT status FROM app.heartbeat_runs WHERE id = ('f0000000-0000-4000-8000-' || :run)::uuid;
UPDATE app.issues SET title = 'title ' || :t, updated_at = now()
WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid RETURNING *;
COMMIT;

-- ===== POST /issues/:id/release =====
SELECT * FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid;
-- ownership gate -> assertCheckoutOwner (S-B), as above
BEGIN;
SELECT id, execution_run_id FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid FOR UPDATE;
SELECT id, status FROM app.heartbeat_runs WHERE id IN (('f0000000-0000-4000-8000-' || :run)::uuid) ORDER BY id FOR UPDATE;
COMMIT;
BEGIN;
SELECT id, checkout_run_id, execution_run_id FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid FOR UPDATE;
SELECT id, status FROM app.heartbeat_runs WHERE id IN (('f0000000-0000-4000-8000-' || :run)::uuid) ORDER BY id FOR UPDATE;
COMMIT;
SELECT id, status, assignee_agent_id, checkout_run_id, execution_run_id FROM app.issues
WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid;
-- svc.release (S-B): one transaction, row lock first; checks 3-4 pass (same run)
BEGIN;
SELECT * FROM app.issues WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid FOR UPDATE;
UPDATE app.issues SET status = 'todo', assignee_agent_id = NULL, checkout_run_id = NULL, execution_run_id = NULL,
    execution_agent_name_key = NULL, execution_locked_at = NULL, updated_at = now()
WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid RETURNING *;
COMMIT;
-- route: logActivity issue.released
INSERT INTO app.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id, details)
VALUES (('c0000000-0000-4000-8000-' || :company)::uuid, 'agent', ('a0000000-0000-4000-8000-' || :agent), 'issue.released',
        'issue', ('e0000000-0000-4000-8000-' || :issue), ('a0000000-0000-4000-8000-' || :agent)::uuid,
        ('f0000000-0000-4000-8000-' || :run)::uuid, NULL);
