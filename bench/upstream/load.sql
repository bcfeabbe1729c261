-- bench/upstream/load.sql: the dataset on upstream Paperclip's real schema
-- (public, created by test/upstream/create-schema.sh from the pinned
-- @paperclipai/db 2026.916.1 migrations). Run as the superuser. psql
-- variables: :issues (1,000,000 by default), :pw (password of the login roles).
--
-- Same shape as bench/sql/load.sql, so the pgbench scripts name rows the same
-- way: 100 companies, 1,000 agents (agent a in company a/10), 100 runs per
-- agent (run a*100 'running', a*100+99 'queued', the rest terminal), :issues
-- issues in blocks of B = :issues/1000 per agent; agents a % 10 = 0 are the
-- benchmark clients' (their issues 'todo', unassigned); agents a >= 500 hold
-- a stale lock on n % 5 = 0 and a live lock on n % 5 = 1; issues/100 'blocks'
-- relations; issues/2 rows of audit history.
--
-- The upstream-only columns are filled as a running installation has them:
-- titles and multi-sentence descriptions built from a vocabulary (so the
-- trigram GIN indexes on title, identifier and description hold realistic
-- text), identifiers PREFIX-number with issue_number and the company's
-- issue_counter, the JSON columns (execution_policy, execution_state,
-- assignee_adapter_overrides, execution_workspace_settings, source_trust;
-- heartbeat_runs.context_snapshot, usage_json, result_json; agents'
-- adapter_config, runtime_config, metadata), run excerpts, legacy controller
-- leases on running runs, routine-execution origins on a share of issues.
--
-- Loaded set-based with session_replication_role = replica (no triggers, no
-- foreign-key checks during the load only: the rows are generated
-- consistent), with the secondary indexes of the big tables dropped first and
-- re-created afterwards from their exact definitions (pg_get_indexdef), so the
-- schema after the load is upstream's, index for index.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET maintenance_work_mem = '1GB';
SELECT (:issues / 1000)::int AS block \gset

-- Login roles, cluster-wide (bench/sql/setup.sql may have made some):
-- bench_server is the Paperclip server (a non-superuser with ALL on public,
-- as test/upstream's harness connects), bench_app the role that calls the
-- extension's functions as an agent, bench_op an operator.
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_server') AS need_server \gset
\if :need_server
CREATE ROLE bench_server LOGIN PASSWORD :'pw';
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_app') AS need_app \gset
\if :need_app
CREATE ROLE bench_app LOGIN PASSWORD :'pw';
CREATE ROLE bench_op LOGIN PASSWORD :'pw';
\endif
GRANT USAGE ON SCHEMA public TO bench_server, bench_app, bench_op;
GRANT ALL ON ALL TABLES IN SCHEMA public TO bench_server;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO bench_server;
-- The agent's own title UPDATE (strict variant) goes straight to the table.
GRANT SELECT, UPDATE ON public.issues TO bench_app;

CREATE SCHEMA bench;
CREATE FUNCTION bench.uid(prefix text, n bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (prefix || '-0000-4000-8000-' || (100000000000 + n)::text)::uuid;
CREATE FUNCTION bench.issue(n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE RETURN bench.uid('e0000000', n);
CREATE FUNCTION bench.agent(n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE RETURN bench.uid('a0000000', n);
CREATE FUNCTION bench.run(n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE RETURN bench.uid('f0000000', n);
CREATE FUNCTION bench.company(n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE RETURN bench.uid('c0000000', n);
-- A word of a vocabulary, picked by a hash of (n, k): deterministic text.
CREATE FUNCTION bench.pick(words text[], n bigint, k int) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN words[1 + ((hashint8(n * 131 + k) & 2147483647) % cardinality(words))];
GRANT USAGE ON SCHEMA bench TO PUBLIC;

CREATE TABLE bench.vocab AS SELECT
    ARRAY['Fix', 'Investigate', 'Refactor', 'Add', 'Remove', 'Speed up', 'Document', 'Migrate', 'Harden', 'Review',
          'Split', 'Retry', 'Cache', 'Validate', 'Instrument'] AS verbs,
    ARRAY['flaky', 'slow', 'missing', 'duplicate', 'stale', 'broken', 'legacy', 'nightly', 'partial', 'unbounded',
          'concurrent', 'cold', 'orphaned', 'oversized'] AS adjs,
    ARRAY['billing webhook', 'login flow', 'search index', 'retry queue', 'export job', 'rate limiter',
          'onboarding wizard', 'invoice PDF', 'heartbeat scheduler', 'workspace cleanup', 'API pagination',
          'audit trail', 'email digest', 'dependency graph', 'cost report', 'agent sandbox', 'issue tracker sync',
          'token refresh', 'CSV import', 'release notes'] AS nouns,
    ARRAY['The current behaviour', 'A customer report', 'The nightly run', 'Our dashboard', 'The last deploy',
          'The on-call log', 'A failing test', 'The profiler'] AS subjects,
    ARRAY['shows that', 'suggests that', 'confirms that', 'makes it clear that', 'indicates that'] AS links,
    ARRAY['requests time out after thirty seconds under load', 'the cache is never invalidated after a rename',
          'two workers pick up the same job', 'the retry budget is exhausted before the upstream recovers',
          'the error is swallowed and logged at debug level', 'pagination skips a row when timestamps collide',
          'the migration locks the table for minutes', 'memory grows with every reconnect',
          'the handler assumes a single tenant', 'timestamps are stored without a time zone',
          'the fallback path is never exercised in tests', 'an empty payload crashes the parser'] AS facts,
    ARRAY['Acceptance: a regression test reproduces it and passes after the fix.',
          'Keep the public API unchanged.', 'Measure before and after; attach the numbers.',
          'Coordinate with the platform team before merging.', 'Link the incident ticket in the PR.',
          'Out of scope: the admin UI.'] AS tails;

SET session_replication_role = replica;
BEGIN;
-- Secondary indexes of the big tables, dropped for the load, re-created after.
CREATE TEMP TABLE saved_indexes AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
FROM pg_index AS i
WHERE i.indrelid IN ('public.issues'::regclass, 'public.heartbeat_runs'::regclass, 'public.activity_log'::regclass)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid);
SELECT count(*) AS saved_index_count FROM saved_indexes \gset
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT name FROM saved_indexes LOOP
        EXECUTE 'DROP INDEX ' || r.name;
    END LOOP;
END
$$;

INSERT INTO companies (id, name, description, status, budget_monthly_cents, spent_monthly_cents, issue_prefix,
                       issue_counter, require_board_approval_for_new_agents, created_at, updated_at)
SELECT bench.company(k), 'Company ' || k, 'Generated company ' || k || ' for the benchmark', 'active',
       500000, (k * 7919) % 500000, 'C' || lpad(k::text, 2, '0'), 10 * :block, false,
       now() - interval '400 days', now() - interval '1 day'
FROM generate_series(0, 99) AS k;

INSERT INTO company_memberships (company_id, principal_type, principal_id, status, membership_role)
SELECT bench.company(k), 'user', 'board' || k || '@bench.test', 'active', 'admin'
FROM generate_series(0, 99) AS k
UNION ALL
SELECT bench.company(k), 'user', 'viewer' || k || '@bench.test', 'active', 'viewer'
FROM generate_series(0, 99) AS k;

INSERT INTO agents (id, company_id, name, role, title, status, capabilities, adapter_type, adapter_config,
                    runtime_config, permissions, metadata, budget_monthly_cents, last_heartbeat_at, created_at, updated_at)
SELECT bench.agent(a), bench.company(a / 10), 'Agent' || a,
       CASE WHEN a % 10 = 9 THEN 'ceo' ELSE 'engineer' END,
       CASE WHEN a % 10 = 9 THEN 'Chief Executive' ELSE 'Software Engineer' END,
       'idle', 'Writes, reviews and ships code; triages ' || bench.pick(v.nouns, a, 1) || ' issues.',
       (ARRAY['codex_local', 'claude_local', 'process'])[a % 3 + 1],
       jsonb_build_object('model', (ARRAY['gpt-5-codex', 'claude-sonnet-4-5', 'local'])[a % 3 + 1],
                          'cwd', '/srv/agents/agent' || a, 'timeoutSec', 1800,
                          'instructionsFilePath', '/srv/agents/agent' || a || '/AGENTS.md',
                          'env', jsonb_build_object('LOG_LEVEL', 'info')),
       jsonb_build_object('heartbeat', jsonb_build_object('enabled', true, 'intervalSec', 300,
                                                          'wakeOnDemand', true, 'maxConcurrentRuns', 1)),
       CASE WHEN a % 10 = 9 THEN '{"canCreateAgents": true}'::jsonb ELSE '{}'::jsonb END,
       jsonb_build_object('createdBy', 'bench', 'team', 'team-' || a % 7),
       100000, now() - make_interval(mins => a % 60), now() - interval '300 days', now() - interval '1 day'
FROM generate_series(0, 999) AS a, bench.vocab AS v;

INSERT INTO heartbeat_runs (id, company_id, agent_id, status, invocation_source, trigger_detail, started_at,
                            finished_at, error, error_code, exit_code, context_snapshot, usage_json, result_json,
                            stdout_excerpt, log_store, log_ref, log_bytes, runtime_mode, controller_boot_id,
                            controller_lease_expires_at, created_at, updated_at)
SELECT bench.run(r), bench.company(r / 100 / 10), bench.agent(r / 100), g.status,
       (ARRAY['scheduler', 'assignment', 'on_demand', 'automation'])[r % 4 + 1], 'system',
       now() - make_interval(mins => 100 - r % 100),
       CASE WHEN g.live THEN NULL ELSE now() - make_interval(mins => 99 - r % 100) END,
       CASE WHEN g.status = 'failed' THEN 'adapter exited with code 1' END,
       CASE WHEN g.status = 'failed' THEN 'adapter_failed' END,
       CASE WHEN g.status = 'succeeded' THEN 0 WHEN g.status = 'failed' THEN 1 END,
       jsonb_build_object('issueId', bench.issue((r / 100) * :block + (r % 100) % :block)::text,
                          'taskKey', 'issue:' || bench.issue((r / 100) * :block + (r % 100) % :block)::text,
                          'wakeReason', (ARRAY['issue_assigned', 'heartbeat_timer', 'issue_commented'])[r % 3 + 1],
                          'source', 'issue.checkout'),
       CASE WHEN NOT g.live THEN jsonb_build_object('inputTokens', 20000 + r % 9000, 'outputTokens', 1500 + r % 700,
                                                    'cachedInputTokens', 12000, 'costUsd', round((r % 300) / 100.0, 2)) END,
       CASE WHEN g.status = 'succeeded' THEN jsonb_build_object('summary', 'Done: ' || bench.pick(v.facts, r, 3)) END,
       CASE WHEN NOT g.live THEN 'Reading the issue... running tests... ' || bench.pick(v.facts, r, 4) END,
       'local_file', 'runs/' || r || '.ndjson', 4096 + r % 100000,
       'legacy',
       CASE WHEN g.status = 'running' THEN bench.uid('b0000000', 0) END,
       -- the server renews a running legacy run's lease to +60 s every ~10 s;
       -- no server renews it here, so it is set past the end of the run
       CASE WHEN g.status = 'running' THEN now() + interval '1 day' END,
       now() - make_interval(mins => 100 - r % 100), now() - make_interval(mins => 99 - r % 100)
FROM generate_series(0, 99999) AS r, bench.vocab AS v,
     LATERAL (SELECT CASE WHEN r % 100 = 0 THEN 'running'
                          WHEN r % 100 = 99 THEN 'queued'
                          ELSE (ARRAY['succeeded', 'failed', 'cancelled', 'timed_out'])[r % 4 + 1] END AS status,
                     r % 100 IN (0, 99) AS live) AS g;

INSERT INTO issues (id, company_id, title, description, status, priority, assignee_agent_id, created_by_user_id,
                    request_depth, billing_code, issue_number, identifier, checkout_run_id, execution_run_id,
                    execution_agent_name_key, execution_locked_at, started_at, completed_at, cancelled_at,
                    assignee_adapter_overrides, execution_workspace_settings, execution_workspace_preference,
                    origin_kind, origin_id, origin_run_id, execution_policy, execution_state, source_trust,
                    work_mode, status_version, created_at, updated_at)
SELECT bench.issue(n), bench.company(a / 10),
       bench.pick(v.verbs, n, 1) || ' ' || bench.pick(v.adjs, n, 2) || ' ' || bench.pick(v.nouns, n, 3)
           || CASE WHEN n % 3 = 0 THEN ' in ' || bench.pick(v.nouns, n, 4) ELSE '' END,
       bench.pick(v.subjects, n, 5) || ' ' || bench.pick(v.links, n, 6) || ' ' || bench.pick(v.facts, n, 7) || '. '
           || bench.pick(v.subjects, n, 8) || ' ' || bench.pick(v.links, n, 9) || ' ' || bench.pick(v.facts, n, 10)
           || '. Affected area: ' || bench.pick(v.nouns, n, 11) || ' and ' || bench.pick(v.nouns, n, 12) || '. '
           || CASE WHEN n % 2 = 0 THEN E'\n\nSteps to reproduce:\n1. Open the ' || bench.pick(v.nouns, n, 13)
                || E'.\n2. Trigger the ' || bench.pick(v.adjs, n, 14) || ' path.\n3. Observe that '
                || bench.pick(v.facts, n, 15) || E'.\n\n' ELSE '' END
           || bench.pick(v.tails, n, 16) || ' Ref #' || (n * 37 % 100000),
       g.status, (ARRAY['low', 'medium', 'high', 'critical'])[n % 4 + 1],
       CASE WHEN g.locked OR (g.status NOT IN ('todo', 'backlog') AND n % 3 = 0) THEN bench.agent(a) END,
       'board' || (a / 10) || '@bench.test', n % 3, CASE WHEN n % 4 = 0 THEN 'CC-' || (n % 17) END,
       (n - (a / 10) * 10 * :block) + 1, 'C' || lpad((a / 10)::text, 2, '0') || '-' || ((n - (a / 10) * 10 * :block) + 1),
       g.lock_run, g.lock_run,
       CASE WHEN g.locked THEN 'agent' || a END,
       CASE WHEN g.locked THEN now() - interval '2 days' END,
       CASE WHEN g.status = 'in_progress' THEN now() - interval '2 days' END,
       CASE WHEN g.status = 'done' THEN now() - interval '1 day' END,
       CASE WHEN g.status = 'cancelled' THEN now() - interval '1 day' END,
       CASE WHEN n % 5 = 2 THEN jsonb_build_object('model', 'gpt-5-codex', 'reasoningEffort', 'high') END,
       CASE WHEN n % 4 = 1 THEN jsonb_build_object('mode', 'isolated_workspace', 'branchPrefix', 'pc/',
                                                   'cleanup', jsonb_build_object('onDone', true)) END,
       CASE WHEN n % 4 = 1 THEN 'isolated_workspace' END,
       CASE WHEN n % 10 = 3 THEN 'routine_execution' ELSE 'manual' END,
       CASE WHEN n % 10 = 3 THEN 'routine-' || n END,
       CASE WHEN n % 10 = 3 THEN bench.run((a * 100) + 1)::text END,
       CASE WHEN n % 3 = 1 THEN jsonb_build_object('mode', 'normal', 'commentRequired', true,
                                                   'stages', jsonb_build_array(jsonb_build_object(
                                                       'type', 'review', 'participants', jsonb_build_array(
                                                           jsonb_build_object('type', 'user', 'userId',
                                                                              'board' || (a / 10) || '@bench.test'))))) END,
       CASE WHEN n % 3 = 1 AND g.status = 'in_review' THEN jsonb_build_object('status', 'pending',
                                                   'currentStageType', 'review', 'returnAssignee', NULL) END,
       CASE WHEN n % 6 = 5 THEN jsonb_build_object('level', 'trusted', 'source', 'board') END,
       'standard', n % 4, now() - interval '30 days', now() - interval '1 day'
FROM generate_series(0, :issues - 1) AS n, bench.vocab AS v,
     LATERAL (SELECT n / :block AS a) AS ag,
     LATERAL (SELECT
        CASE WHEN a >= 500 AND n % 5 IN (0, 1) THEN 'in_progress'
             WHEN a % 10 = 0 THEN 'todo'
             ELSE (ARRAY['todo', 'todo', 'todo', 'todo', 'backlog', 'backlog', 'done', 'done',
                         'in_review', 'cancelled'])[n % 10 + 1] END AS status,
        a >= 500 AND n % 5 IN (0, 1) AS locked,
        CASE WHEN a >= 500 AND n % 5 = 0 THEN bench.run(a * 100 + 1 + (n / 5) % 98)
             WHEN a >= 500 AND n % 5 = 1 THEN bench.run(a * 100) END AS lock_run) AS g;

INSERT INTO issue_relations (company_id, issue_id, related_issue_id, type, created_by_user_id)
SELECT bench.company(x / :block / 10), bench.issue(x), bench.issue(x + 1), 'blocks', 'board' || (x / :block / 10) || '@bench.test'
FROM generate_series(5 * :block + 2, :issues - 2, 100) AS x
WHERE (x / :block) % 10 <> 0 AND (x + 1) / :block = x / :block;

INSERT INTO activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id,
                          agent_id, run_id, details, created_at)
SELECT bench.company(n / :block / 10), 'agent', bench.agent(n / :block)::text,
       (ARRAY['issue.checked_out', 'issue.released', 'issue.updated'])[n % 3 + 1], 'issue',
       bench.issue(n)::text, bench.agent(n / :block), bench.run(n / :block * 100),
       CASE n % 3 WHEN 0 THEN jsonb_build_object('agentId', bench.agent(n / :block))
                  WHEN 2 THEN jsonb_build_object('title', 'Issue ' || n, '_previous', jsonb_build_object('title', 'Old'))
       END,
       now() - make_interval(secs => :issues - n)
FROM generate_series(0, :issues - 1, 2) AS n;

DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT def FROM saved_indexes LOOP
        EXECUTE r.def;
    END LOOP;
END
$$;
SELECT count(*) = :saved_index_count AS indexes_back
FROM pg_index AS i
WHERE i.indrelid IN ('public.issues'::regclass, 'public.heartbeat_runs'::regclass, 'public.activity_log'::regclass)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid) \gset
\if :indexes_back
\else
\echo 'load.sql: the secondary indexes did not all come back'
SELECT 1/0;
\endif
COMMIT;
RESET session_replication_role;
