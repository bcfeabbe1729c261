-- bench/sql/load.sql: the dataset (run as the superuser after setup.sql and
-- plpgsql_impl.sql). psql variable :issues (1,000,000 by default).
--
-- Shape: 100 companies, 1,000 agents (10 per company, agent a in company
-- a/10), 100 runs per agent (100,000; run a*100 is the agent's live
-- 'running' run, a*100+99 is 'queued', the rest are terminal), and :issues
-- issues in blocks of B = :issues/1000 per agent (issue n belongs to agent
-- n/B's range and company n/B/10).
--   * agents a with a % 10 = 0 are the benchmark clients' agents (client c
--     uses agent 10c): their issues are 'todo' and unassigned;
--   * agents a >= 500 hold locks on 2 issues in 5: n % 5 = 0 a stale lock (a
--     terminal run: 100,000 stale locks at 1M issues, what the sweep clears),
--     n % 5 = 1 a live lock (the agent's running run: the sweep must skip them);
--   * every other issue has a realistic status mix, a third assigned;
--   * issues/100 'blocks' relations among non-benchmark issues;
--   * issues/2 rows of audit history.
--
-- Loaded set-based with session_replication_role = replica: the rows are
-- generated consistent, so the extension's triggers (and the foreign-key
-- triggers) are skipped during the load only; every benchmark statement runs
-- with all triggers on.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET session_replication_role = replica;
SET maintenance_work_mem = '1GB';
SELECT (:issues / 1000)::int AS block \gset

BEGIN;
INSERT INTO paperclip.companies (id, name, issue_prefix, status, require_board_approval_for_new_agents)
SELECT bench.company(k), 'Company ' || k, 'C' || k, 'active', false
FROM generate_series(0, 99) AS k;

INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, status, membership_role)
SELECT bench.company(k), 'user', 'board' || k || '@bench.test', 'active', 'admin'
FROM generate_series(0, 99) AS k
UNION ALL
SELECT bench.company(k), 'user', 'viewer' || k || '@bench.test', 'active', 'viewer'
FROM generate_series(0, 99) AS k;

INSERT INTO paperclip.agents (id, company_id, name, role, status, adapter_type, permissions)
SELECT bench.agent(a), bench.company(a / 10), 'Agent' || a,
       CASE WHEN a % 10 = 9 THEN 'ceo' ELSE 'engineer' END, 'idle', 'process',
       CASE WHEN a % 10 = 9 THEN '{"canCreateAgents": true}'::jsonb ELSE '{}'::jsonb END
FROM generate_series(0, 999) AS a;

INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status, invocation_source, started_at, finished_at)
SELECT bench.run(r), bench.company(r / 100 / 10), bench.agent(r / 100),
       CASE WHEN r % 100 = 0 THEN 'running'
            WHEN r % 100 = 99 THEN 'queued'
            ELSE (ARRAY['succeeded', 'failed', 'cancelled', 'timed_out'])[r % 4 + 1] END,
       'scheduler',
       now() - make_interval(mins => 100 - r % 100),
       CASE WHEN r % 100 IN (0, 99) THEN NULL ELSE now() - make_interval(mins => 99 - r % 100) END
FROM generate_series(0, 99999) AS r;

INSERT INTO paperclip.issues (id, company_id, title, description, status, priority, assignee_agent_id,
                              checkout_run_id, execution_run_id, execution_agent_name_key,
                              execution_locked_at, started_at, completed_at, cancelled_at, created_at, updated_at)
SELECT bench.issue(n), bench.company(a / 10), 'Issue ' || n, 'Generated issue ' || n || ' for the benchmark',
       g.status, (ARRAY['low', 'medium', 'high', 'critical'])[n % 4 + 1],
       CASE WHEN g.locked OR (g.status NOT IN ('todo', 'backlog') AND n % 3 = 0) THEN bench.agent(a) END,
       g.lock_run, g.lock_run,
       CASE WHEN g.locked THEN 'agent' || a END,
       CASE WHEN g.locked THEN now() - interval '2 days' END,
       CASE WHEN g.status = 'in_progress' THEN now() - interval '2 days' END,
       CASE WHEN g.status = 'done' THEN now() - interval '1 day' END,
       CASE WHEN g.status = 'cancelled' THEN now() - interval '1 day' END,
       now() - interval '30 days', now() - interval '1 day'
FROM generate_series(0, :issues - 1) AS n,
     LATERAL (SELECT n / :block AS a) AS ag,
     LATERAL (SELECT
        CASE WHEN a >= 500 AND n % 5 IN (0, 1) THEN 'in_progress'
             WHEN a % 10 = 0 THEN 'todo'
             ELSE (ARRAY['todo', 'todo', 'todo', 'todo', 'backlog', 'backlog', 'done', 'done',
                         'in_review', 'cancelled'])[n % 10 + 1] END AS status,
        a >= 500 AND n % 5 IN (0, 1) AS locked,
        CASE WHEN a >= 500 AND n % 5 = 0 THEN bench.run(a * 100 + 1 + (n / 5) % 98)
             WHEN a >= 500 AND n % 5 = 1 THEN bench.run(a * 100) END AS lock_run) AS g;

INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id, type)
SELECT bench.company(x / :block / 10), bench.issue(x), bench.issue(x + 1), 'blocks'
FROM generate_series(5 * :block + 2, :issues - 2, 100) AS x
WHERE (x / :block) % 10 <> 0 AND (x + 1) / :block = x / :block;

INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id,
                                    agent_id, run_id, details, created_at)
SELECT bench.company(n / :block / 10), 'agent', bench.agent(n / :block)::text,
       (ARRAY['issue.checked_out', 'issue.released', 'issue.updated'])[n % 3 + 1], 'issue',
       bench.issue(n)::text, bench.agent(n / :block), bench.run(n / :block * 100),
       jsonb_build_object('agentId', bench.agent(n / :block)),
       now() - make_interval(secs => :issues - n)
FROM generate_series(0, :issues - 1, 2) AS n;
COMMIT;

-- The same rows in each copy.
DO $$
DECLARE
    s text;
    t text;
BEGIN
    FOREACH s IN ARRAY ARRAY['floor', 'app', 'plpg'] LOOP
        FOREACH t IN ARRAY ARRAY['companies', 'company_memberships', 'agents', 'heartbeat_runs', 'issues',
                                 'issue_relations', 'activity_log'] LOOP
            EXECUTE format('INSERT INTO %I.%I SELECT * FROM paperclip.%I', s, t, t);
        END LOOP;
    END LOOP;
END
$$;
RESET session_replication_role;
