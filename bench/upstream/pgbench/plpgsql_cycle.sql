-- Upstream schema, variant 3, PL/pgSQL: bench/plpgsql_impl.sql retargeted to upstream's
-- tables (bench/upstream_bench.py, plpgsql_upstream_sql), database up_plpgsql, role
-- bench_server; the same calls as the strict variant (strict_cycle.sql), on schema plpg.
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
SELECT plpg.set_actor_agent(('a0000000-0000-4000-8000-' || :agent)::uuid, ('f0000000-0000-4000-8000-' || :run)::uuid);
SELECT id FROM plpg.checkout(('e0000000-0000-4000-8000-' || :issue)::uuid, ('a0000000-0000-4000-8000-' || :agent)::uuid,
                   '{todo}', ('f0000000-0000-4000-8000-' || :run)::uuid);
UPDATE public.issues SET title = 'title ' || :t, updated_at = now()
WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid RETURNING *;
SELECT id FROM plpg.release(('e0000000-0000-4000-8000-' || :issue)::uuid, ('a0000000-0000-4000-8000-' || :agent)::uuid,
                  ('f0000000-0000-4000-8000-' || :run)::uuid);
COMMIT;
