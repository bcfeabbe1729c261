-- The lease reaper (SPEC §9) on upstream Paperclip's real schema, attached
-- with run_lease_column => 'controller_lease_expires_at': a run whose
-- controller lease runs out loses its locks without anyone calling
-- anything, and stays dead when the server pushes the column forward again.
-- Database "postgres" holds upstream's schema (test/upstream/create-schema.sh,
-- run by test/lease_reaper.sh); the cluster preloads paperclip_locks with
-- the reaper watching it. Every check polls with a deadline; none asserts a
-- duration.
\set company '0000002f-0000-4000-8000-0000000000c1'
\set agent   '0000002f-0000-4000-8000-0000000000a1'
\set run_x   '0000002f-0000-4000-8000-000000000111'
\set run_l   '0000002f-0000-4000-8000-000000000112'
\set run_n   '0000002f-0000-4000-8000-000000000113'

CALL public.wait_for('a reaper worker runs for database postgres',
    $$EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'paperclip lease reaper' AND datname = 'postgres')$$,
    '30 s');

CREATE EXTENSION paperclip_locks_attach;
SELECT paperclip.attach('public', 'compat', run_lease_column => 'controller_lease_expires_at');
INSERT INTO public.companies (id, name, issue_prefix) VALUES (:'company', 'Reaper Co', 'RPA');
INSERT INTO public.agents (id, company_id, name) VALUES (:'agent', :'company', 'Reaped Agent');

-- X: its controller lease ends in a second and nobody renews it; L: an hour
-- ahead; N: NULL (a native run, judged by its status).
INSERT INTO public.heartbeat_runs (id, company_id, agent_id, status, controller_lease_expires_at) VALUES
    (:'run_x', :'company', :'agent', 'running', clock_timestamp() + interval '1 second'),
    (:'run_l', :'company', :'agent', 'running', now() + interval '1 hour'),
    (:'run_n', :'company', :'agent', 'running', NULL);
INSERT INTO public.issues (company_id, title, status, assignee_agent_id, checkout_run_id,
                           execution_run_id, execution_agent_name_key, execution_locked_at, started_at)
SELECT :'company', 'held by ' || r, 'in_progress', :'agent', r, r, 'reapedagent', now(), now()
FROM unnest(ARRAY[:'run_x', :'run_x', :'run_l', :'run_n']::uuid[]) AS r;
CREATE TABLE public.column_before AS
    SELECT controller_lease_expires_at AS expires_at FROM public.heartbeat_runs WHERE id = :'run_x';
CREATE FUNCTION public.locked_by(run uuid) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM public.issues WHERE checkout_run_id = run OR execution_run_id = run $$;

CALL public.wait_for('the reaper releases the locks of a run whose controller lease column ran out',
    format($$public.locked_by(%L) = 0$$, :'run_x'), '15 s');
CALL public.record('recorded with reason run_lease_expired, source lease_reaper',
    format($$(SELECT count(*) = 2 AND bool_and(details->>'reason' = 'run_lease_expired'
                                              AND details->>'source' = 'lease_reaper')
              FROM public.activity_log
              WHERE action = 'issue.stale_lock_cleared' AND details->>'previousRunId' = %L)$$, :'run_x'));
CALL public.record('the reaper recorded the death in run_leases at the column''s value',
    format($$(SELECT l.expires_at = b.expires_at FROM paperclip.run_leases AS l, public.column_before AS b
              WHERE l.run_id = %L)$$, :'run_x'));
CALL public.record('a column an hour ahead and a NULL column keep their locks',
    format($$public.locked_by(%L) = 1 AND public.locked_by(%L) = 1$$, :'run_l', :'run_n'));

-- The server's takeover of the lost run pushes the column a minute ahead;
-- the run stays dead (its lease row says so) and the view agrees.
UPDATE public.heartbeat_runs SET controller_boot_id = gen_random_uuid(),
    controller_lease_expires_at = clock_timestamp() + interval '60 seconds'
WHERE id = :'run_x';
CALL public.record('after the column moved forward the run is still dead',
    format($$NOT paperclip.run_is_live('running',
                 (SELECT LEAST(l.expires_at, r.controller_lease_expires_at)
                  FROM public.heartbeat_runs AS r JOIN paperclip.run_leases AS l ON l.run_id = r.id
                  WHERE r.id = %L), NULL, NULL)$$, :'run_x'));
-- A lock handed to the revived-looking run by a direct write is released
-- again by the reaper.
UPDATE public.issues SET checkout_run_id = :'run_x', execution_run_id = :'run_x',
    execution_agent_name_key = 'reapedagent', execution_locked_at = now()
WHERE title = 'held by ' || :'run_x';
CALL public.wait_for('the reaper releases it again: death is final',
    format($$public.locked_by(%L) = 0$$, :'run_x'), '15 s');
CALL public.record('a column an hour ahead still keeps its lock', format($$public.locked_by(%L) = 1$$, :'run_l'));
