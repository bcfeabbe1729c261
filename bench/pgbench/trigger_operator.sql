-- Trigger overhead, operator: the same title UPDATE from a database operator
-- (bench_op, granted paperclip_operator, no actor), one statement.
\set agent_n :client_id * 10
\set n :agent_n * :block + random(0, :block - 1)
\set issue 100000000000 + :n
\set t random(1, 1000000000)
UPDATE paperclip.issues SET title = 'title ' || :t, updated_at = now() WHERE id = ('e0000000-0000-4000-8000-' || :issue)::uuid;
