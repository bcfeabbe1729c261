-- Upstream schema attached in strict mode (paperclip_locks_attach,
-- paperclip.attach('public', 'strict')): the actor set per transaction, then
-- the extension's functions on upstream's tables; the title UPDATE passes the
-- extension's trigger (the agent's own in_progress issue: the ownership gate).
-- Database up_strict, role bench_app (paperclip_app).
-- Client c acts as agent 10c (company c) with its live run 1000c, on a
-- random issue of its own range of :block issues: clients never collide.
\set agent_n :client_id * 10
\set n :agent_n * :block + random(0, :block - 1)
\set issue 100000000000 + :n
\set agent 100000000000 + :agent_n
\set run 100000000000 + :agent_n * 100
\set company 100000000000 + :agent_n / 10
\set t random(1, 1000000000)
BEGIN;
SELECT paperclip.set_actor_agent(('a0000000-0000-4000-8000-' || :agent)::uuid, ('f0000000-0000-4000-8000-' || :run)::uuid);
SELECT id FROM paperclip.checkout(('e0000000-0000-4000-8000-' || :issue)::uuid, ('a0000000-0000-4000-8000-' || :agent)::uuid,
                   '{todo}', ('f0000000-0000-4000-8000-' || :run)::uuid);
UPDATE public.issues SET title = 'title ' || :t, updated_at = now()
WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid RETURNING *;
SELECT id FROM paperclip.release(('e0000000-0000-4000-8000-' || :issue)::uuid, ('a0000000-0000-4000-8000-' || :agent)::uuid,
                  ('f0000000-0000-4000-8000-' || :run)::uuid);
COMMIT;
