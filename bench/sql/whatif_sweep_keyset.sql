-- bench/sql/whatif_sweep_keyset.sql: a what-if for the sweep, not part of the
-- extension. paperclip.sweep_stale_locks re-runs its candidate query from the
-- start of the table on every batch, so batch k re-reads every live lock that
-- batches 1..k-1 skipped, and the drain is quadratic in the number of locks.
-- This procedure runs the same candidate query, resumed after the last issue
-- id of the previous batch (keyset pagination), and applies the same
-- clearing (as a database operator, through the issues trigger). It first
-- puts back the stale locks load.sql created (psql variable :block).
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

CREATE OR REPLACE PROCEDURE bench.sweep_keyset(batch integer, INOUT cleared bigint DEFAULT 0)
LANGUAGE plpgsql AS $$
DECLARE
    last uuid := '00000000-0000-0000-0000-000000000000';
    ids uuid[];
BEGIN
    LOOP
        SELECT array_agg(s.id ORDER BY s.id) INTO ids FROM (
            SELECT i.id FROM paperclip.issues AS i
            LEFT JOIN paperclip.heartbeat_runs AS cr ON cr.id = i.checkout_run_id
            LEFT JOIN paperclip.heartbeat_runs AS er ON er.id = i.execution_run_id
            WHERE i.id > last AND (i.checkout_run_id IS NOT NULL OR i.execution_run_id IS NOT NULL)
              AND paperclip.lock_is_sweepable(i.checkout_run_id, cr.status, i.execution_run_id, er.status)
            ORDER BY i.id LIMIT batch FOR UPDATE OF i SKIP LOCKED) AS s;
        EXIT WHEN ids IS NULL;
        -- In this dataset a stale lock's checkout and execution runs are the
        -- same terminal run, so clearing it clears all four columns.
        UPDATE paperclip.issues AS i SET checkout_run_id = NULL, execution_run_id = NULL,
            execution_agent_name_key = NULL, execution_locked_at = NULL, updated_at = now()
        WHERE i.id = ANY (ids);
        INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, details)
        SELECT i.company_id, 'user', current_user, 'issue.stale_lock_cleared', 'issue', i.id::text,
               jsonb_build_object('issueId', i.id, 'lock', 'checkout', 'source', 'sweep')
        FROM paperclip.issues AS i WHERE i.id = ANY (ids);
        cleared := cleared + cardinality(ids);
        last := ids[cardinality(ids)];
        COMMIT;
    END LOOP;
END
$$;
GRANT EXECUTE ON PROCEDURE bench.sweep_keyset(integer, bigint) TO bench_op;
