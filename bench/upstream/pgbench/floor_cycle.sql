-- Upstream schema, the floor: the row changes of checkout -> update(title) ->
-- release as bare UPDATE ... RETURNING on upstream's own issues table (all its
-- indexes, its foreign keys and its status_version trigger; no extension), in
-- one transaction, no rules and no audit rows. Database up, role bench_server.
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
UPDATE public.issues SET status = 'in_progress', assignee_agent_id = ('a0000000-0000-4000-8000-' || :agent)::uuid,
    assignee_user_id = NULL, checkout_run_id = ('f0000000-0000-4000-8000-' || :run)::uuid,
    execution_run_id = ('f0000000-0000-4000-8000-' || :run)::uuid, execution_agent_name_key = 'agent' || :agent_n,
    execution_locked_at = now(), started_at = now(), updated_at = now()
WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid RETURNING *;
UPDATE public.issues SET title = 'title ' || :t, updated_at = now()
WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid RETURNING *;
UPDATE public.issues SET status = 'todo', assignee_agent_id = NULL, checkout_run_id = NULL, execution_run_id = NULL,
    execution_agent_name_key = NULL, execution_locked_at = NULL, updated_at = now()
WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid RETURNING *;
COMMIT;
