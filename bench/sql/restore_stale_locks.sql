-- bench/sql/restore_stale_locks.sql: puts back the stale locks load.sql
-- created (psql variable :block), after a sweep cleared them, so the sweep
-- can be timed again on the same dataset. As the superuser, with
-- session_replication_role = replica: a restore, not a write under the rules.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

SET session_replication_role = replica;
UPDATE paperclip.issues AS i
SET checkout_run_id = bench.run(n / :block * 100 + 1 + (n / 5) % 98),
    execution_run_id = bench.run(n / :block * 100 + 1 + (n / 5) % 98),
    execution_agent_name_key = 'agent' || (n / :block),
    execution_locked_at = now() - interval '2 days'
FROM generate_series(500 * :block, 1000 * :block - 1, 5) AS n
WHERE i.id = bench.issue(n);
RESET session_replication_role;
