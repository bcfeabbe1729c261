-- bench/sql/equivalence.sql: the PL/pgSQL variant answers like paperclip_locks.
-- Run as bench_app once per schema (-v s=paperclip / -v s=plpg) with
-- -v i0=... i1=... i2=... (agent 510's stale-locked, live-locked and other
-- issue numbers); every write is rolled back. bench.py compares the outcome
-- lines (result rows and ERROR messages) of the two runs.
\set VERBOSITY terse
\pset footer off
-- 1. another agent checks out an issue held by agent 510 -> 409 assigned_to_other_agent
BEGIN; SELECT :s.set_actor_agent(bench.agent(511), bench.run(51100)) IS NOT NULL AS actor_set;
SELECT status FROM :s.checkout(bench.issue(:i1), bench.agent(511), '{in_progress,todo}', bench.run(51100)); ROLLBACK;
-- 2. another agent updates it -> 409 Issue is checked out by another agent
BEGIN; SELECT :s.set_actor_agent(bench.agent(511), bench.run(51100)) IS NOT NULL AS actor_set;
UPDATE :s.issues SET title = 'x' WHERE id = bench.issue(:i1); ROLLBACK;
-- 3. the assignee writes a lock column directly -> 403
BEGIN; SELECT :s.set_actor_agent(bench.agent(510), bench.run(51000)) IS NOT NULL AS actor_set;
UPDATE :s.issues SET checkout_run_id = NULL WHERE id = bench.issue(:i1); ROLLBACK;
-- 4. checkout of its own stale-locked issue: the stale lock is cleared (audited), then taken
BEGIN; SELECT :s.set_actor_agent(bench.agent(510), bench.run(51000)) IS NOT NULL AS actor_set;
SELECT status, assignee_agent_id = bench.agent(510) AS mine, checkout_run_id = bench.run(51000) AS co,
       execution_run_id = bench.run(51000) AS ex, execution_agent_name_key
FROM :s.checkout(bench.issue(:i0), bench.agent(510), '{in_progress}', bench.run(51000));
SELECT action, details ->> 'lock' AS lock FROM :s.activity_log
WHERE entity_id = bench.issue(:i0)::text AND created_at = now() ORDER BY action;
ROLLBACK;
-- 5. a plain UPDATE of its own stale-locked issue: the gate adopts the lock (audited)
BEGIN; SELECT :s.set_actor_agent(bench.agent(510), bench.run(51000)) IS NOT NULL AS actor_set;
UPDATE :s.issues SET title = 'y' WHERE id = bench.issue(:i0)
RETURNING status, checkout_run_id = bench.run(51000) AS co, execution_run_id = bench.run(51000) AS ex,
          execution_agent_name_key;
SELECT action, details ->> 'reason' AS reason FROM :s.activity_log
WHERE entity_id = bench.issue(:i0)::text AND created_at = now() ORDER BY action;
ROLLBACK;
-- 6. checkout with a terminal run -> 422 checkout run is not live
BEGIN; SELECT :s.set_actor_agent(bench.agent(510), bench.run(51001)) IS NOT NULL AS actor_set;
SELECT status FROM :s.checkout(bench.issue(:i2), bench.agent(510), '{todo,backlog,done,in_review,cancelled}', bench.run(51001)); ROLLBACK;
-- 7. release by a non-assignee -> 409 Only assignee can release issue
BEGIN; SELECT :s.set_actor_agent(bench.agent(511), bench.run(51100)) IS NOT NULL AS actor_set;
SELECT status FROM :s.release(bench.issue(:i1)); ROLLBACK;
-- 8. the holder releases: todo, unassigned, unlocked
BEGIN; SELECT :s.set_actor_agent(bench.agent(510), bench.run(51000)) IS NOT NULL AS actor_set;
SELECT status, assignee_agent_id, checkout_run_id, execution_run_id FROM :s.release(bench.issue(:i1)); ROLLBACK;
-- 9. no actor, not an operator -> 403
UPDATE :s.issues SET title = 'z' WHERE id = bench.issue(:i2);
-- 10. the holder moves its issue out of in_progress: the locks go
BEGIN; SELECT :s.set_actor_agent(bench.agent(510), bench.run(51000)) IS NOT NULL AS actor_set;
UPDATE :s.issues SET status = 'in_review' WHERE id = bench.issue(:i1)
RETURNING status, checkout_run_id, execution_run_id, execution_agent_name_key, execution_locked_at; ROLLBACK;
-- 11. the checkout cycle of the benchmark, then a second checkout by the same run (no self-conflict)
BEGIN; SELECT :s.set_actor_agent(bench.agent(0), bench.run(0)) IS NOT NULL AS actor_set;
SELECT status, checkout_run_id = bench.run(0) AS co FROM :s.checkout(bench.issue(1), bench.agent(0), '{todo}', bench.run(0));
SELECT status, checkout_run_id = bench.run(0) AS co FROM :s.checkout(bench.issue(1), bench.agent(0), '{todo}', bench.run(0));
UPDATE :s.issues SET title = 'w' WHERE id = bench.issue(1) RETURNING status, title;
SELECT status, assignee_agent_id FROM :s.release(bench.issue(1), bench.agent(0), bench.run(0));
ROLLBACK;
