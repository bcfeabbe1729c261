#!/usr/bin/env bash
# Lease stress (SPEC §9), inside the reaper's cluster (test/lease_reaper.sh):
# 40 runs each hold one issue; 10 of them stop renewing (1-second leases,
# never renewed again), the other 30 are renewed by 4 pgbench clients for
# LEASE_STRESS_SECONDS (default 10) with 5-second leases. Meanwhile a checker
# polls, and records as checks in public.check_results:
#   - no lock is held by a run whose lease ended more than one reaper
#     interval plus a 3-second margin ago (the reaper releases them);
#   - every renewing run keeps its lock the whole time, and no renewal fails
#     (nothing is lost, no live run is declared dead);
#   - afterwards every dead run's lock was released and recorded once.
set -u
SECS=${LEASE_STRESS_SECONDS:-10}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }
q <<'SQL'
CREATE FUNCTION public.st_run(n int) RETURNS uuid LANGUAGE sql IMMUTABLE
    AS $$ SELECT ('0000003f-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid $$;
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status)
SELECT public.st_run(g), '0000001f-0000-4000-8000-0000000000c1', '0000001f-0000-4000-8000-0000000000a1', 'running'
FROM generate_series(1, 40) AS g;
INSERT INTO paperclip.issues (company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id,
                              execution_agent_name_key, execution_locked_at, started_at)
SELECT '0000001f-0000-4000-8000-0000000000c1', 'stress ' || g, 'in_progress', '0000001f-0000-4000-8000-0000000000a1',
       public.st_run(g), public.st_run(g), 'reapedagent', now(), now()
FROM generate_series(1, 40) AS g;
SELECT count(paperclip.renew_run_lease(public.st_run(g), '5 seconds')) FROM generate_series(11, 40) AS g;
SELECT count(paperclip.renew_run_lease(public.st_run(g), '1 second')) FROM generate_series(1, 10) AS g;
CREATE TABLE public.st_violations (at timestamptz, what text);
CREATE PROCEDURE public.st_check(secs interval) LANGUAGE plpgsql AS $$
DECLARE stop timestamptz := clock_timestamp() + secs;
BEGIN
    WHILE clock_timestamp() < stop LOOP
        INSERT INTO public.st_violations
        SELECT clock_timestamp(), 'lock of ' || l.run_id || ' held ' ||
               (clock_timestamp() - l.expires_at) || ' after its lease expired'
        FROM paperclip.run_leases AS l
        JOIN paperclip.issues AS i ON i.checkout_run_id = l.run_id OR i.execution_run_id = l.run_id
        WHERE l.expires_at < clock_timestamp() - current_setting('paperclip.lease_reaper_interval')::interval
                                                - interval '3 seconds';
        INSERT INTO public.st_violations
        SELECT clock_timestamp(), 'renewing run ' || g || ' lost its lock'
        FROM generate_series(11, 40) AS g
        WHERE NOT EXISTS (SELECT 1 FROM paperclip.issues WHERE checkout_run_id = public.st_run(g));
        COMMIT;
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SQL
script=$(mktemp)
cat >"$script" <<'EOF2'
\set n random(11, 40)
SELECT paperclip.renew_run_lease(public.st_run(:n), '5 seconds');
EOF2
/usr/lib/postgresql/15/bin/pgbench -n -c 4 -j 2 -T "$SECS" -f "$script" postgres >"$script.out" 2>&1 &
bench=$!
# The checker: every 100 ms, in its own transaction, while pgbench renews.
q -c "CALL public.st_check('$SECS seconds')"
wait $bench
tps=$(grep -E '^tps' "$script.out" | head -1 | sed -E 's/tps = ([0-9.]+).*/\1/')
aborted=$(grep -ciE 'aborted|error' "$script.out" || true)
q <<SQL
CALL public.record('stress: no lock held by a dead lease longer than one interval + 3 s ($SECS s, 4 renewing clients, ${tps:-?} renewals/s)',
    \$\$NOT EXISTS (SELECT 1 FROM public.st_violations WHERE what LIKE 'lock of %')\$\$);
CALL public.record('stress: every renewing run kept its lock throughout',
    \$\$NOT EXISTS (SELECT 1 FROM public.st_violations WHERE what LIKE 'renewing run %')\$\$);
CALL public.record('stress: no renewal failed (pgbench: $aborted error lines)', '$aborted = 0');
CALL public.wait_for('stress: every dead run''s lock released, recorded once each with reason run_lease_expired',
    \$\$(SELECT count(*) = 10 AND count(DISTINCT details->>'previousRunId') = 10
            AND bool_and(details->>'reason' = 'run_lease_expired')
       FROM paperclip.activity_log
       WHERE action = 'issue.stale_lock_cleared'
         AND (details->>'previousRunId')::uuid IN (SELECT public.st_run(g) FROM generate_series(1, 10) AS g))
      AND NOT EXISTS (SELECT 1 FROM paperclip.issues
                      WHERE checkout_run_id IN (SELECT public.st_run(g) FROM generate_series(1, 10) AS g))\$\$, '10 s');
SQL
q -c "SELECT what FROM public.st_violations ORDER BY at LIMIT 5" >&2
rm -f "$script" "$script.out"
