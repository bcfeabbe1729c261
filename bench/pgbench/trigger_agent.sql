-- Trigger overhead, agent: a plain title UPDATE by an agent on its own
-- in_progress issue, held by its live run (the ownership gate passes). Run
-- with issues_guard enabled and disabled on the same table; the actor is set
-- either way, so the only difference is the trigger.
\set agent_n :client_id * 10
\set n :agent_n * :block + random(0, :block - 1)
\set issue 100000000000 + :n
\set agent 100000000000 + :agent_n
\set run 100000000000 + :agent_n * 100
\set t random(1, 1000000000)
BEGIN;
SELECT paperclip.set_actor_agent(('a0000000-0000-4000-8000-' || :agent)::uuid, ('f0000000-0000-4000-8000-' || :run)::uuid);
UPDATE paperclip.issues SET title = 'title ' || :t, updated_at = now() WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid;
COMMIT;
