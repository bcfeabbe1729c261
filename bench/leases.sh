#!/usr/bin/env bash
# Run leases (SPEC §9), measured on a throwaway cluster of their own with
# paperclip_locks preloaded and its reaper watching the database:
#   1. the reaper's latency: 1,000 runs each holding one issue, leases of 1 to
#      ~6 s that nobody renews; for every lock, the time from the lease's
#      expiry to the start of the reaper transaction that released it
#      (activity_log.created_at of its issue.stale_lock_cleared row: that
#      transaction's now(), so the figure leaves out the few milliseconds the
#      batch takes to commit). p50, p99 and max at the default interval (1 s).
#   2. the cost of renew_run_lease against the floor: the same row change as a
#      bare single-statement UPDATE of a plain copy of run_leases (no rules),
#      pgbench -M prepared, 1 client, over 1,000 runs; mean latency.
# Writes bench/results/leases-<time>/report.md and prints it.
#
#   bench/leases.sh [--seconds N]     (N seconds per pgbench point, default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. "$ROOT/test/stage.sh"  # sets STAGE
PKGLIBDIR=$(pg_config --pkglibdir)
PGBIN=/usr/lib/postgresql/15/bin
SECONDS_PER_POINT=${SECONDS_PER_POINT:-15}
[ "${1:-}" = --seconds ] && SECONDS_PER_POINT=$2

if [ "${1:-}" != --inside ]; then
    echo "== build and stage the extension"
    make -s -j2 >/dev/null
    rm -rf "$STAGE"
    make -s install DESTDIR="$STAGE" >/dev/null
    RUN=leases-$(date +%Y%m%d-%H%M%S)
    OUT=$ROOT/bench/results/$RUN
    mkdir -p "$OUT" && chmod 777 "$OUT"
    port=$((5440 + RANDOM % 400))
    while [ -e "/var/run/postgresql/.s.PGSQL.$port" ] || ss -ltn 2>/dev/null | grep -q ":$port "; do port=$((port + 1)); done
    echo "== throwaway cluster on port $port (paperclip_locks preloaded, reaper on database postgres)"
    PGPORT=$port PATH=$PGBIN:$PATH pg_virtualenv -t -v 15 \
        -o "extension_destdir=$STAGE" \
        -o "dynamic_library_path=$STAGE$PKGLIBDIR:$PKGLIBDIR" \
        -o "shared_preload_libraries=paperclip_locks" \
        -o "paperclip.lease_reaper_databases=postgres" \
        -o fsync=on -o synchronous_commit=on \
        env OUT="$OUT" SECONDS_PER_POINT="$SECONDS_PER_POINT" "$0" --inside
    ln -sfn "$RUN" "$ROOT/bench/results/latest-leases"
    cat "$OUT/report.md"
    exit 0
fi

# ---- inside the cluster ----
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }
q <<'SQL'
CREATE EXTENSION paperclip_locks;
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES ('00000000-0000-4000-8000-0000000000c1', 'Bench Co', 'BEN');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 'Bench Agent');
CREATE FUNCTION pg_temp.n2uuid(n int) RETURNS uuid LANGUAGE sql IMMUTABLE
    AS $$ SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid $$;
-- 1,000 runs for the renewal points, 1,000 more with one issue each for the reaper.
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status)
SELECT pg_temp.n2uuid(g), '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a1', 'running'
FROM generate_series(1, 2000) AS g;
INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id,
                              execution_agent_name_key, execution_locked_at, started_at)
SELECT pg_temp.n2uuid(100000 + g), '00000000-0000-4000-8000-0000000000c1', 'issue ' || g, 'in_progress',
       '00000000-0000-4000-8000-0000000000a1', pg_temp.n2uuid(1000 + g), pg_temp.n2uuid(1000 + g),
       'benchagent', now(), now()
FROM generate_series(1, 1000) AS g;
SELECT count(paperclip.renew_run_lease(pg_temp.n2uuid(g), '1 hour')) FROM generate_series(1, 1000) AS g;
-- The floor: a plain copy of run_leases, no triggers, no rules.
CREATE SCHEMA floor;
CREATE TABLE floor.run_leases (LIKE paperclip.run_leases INCLUDING ALL);
INSERT INTO floor.run_leases SELECT * FROM paperclip.run_leases;
VACUUM ANALYZE;
SQL

# ---- 1. reaper latency ----
echo "== reaper latency: 1,000 leases expiring over ~6 s"
q <<'SQL' >/dev/null
-- Leases of 1 s to 5.95 s, renewed once and never again.
SELECT paperclip.renew_run_lease(('00000000-0000-4000-8000-' || lpad((1000 + g)::text, 12, '0'))::uuid,
                                 make_interval(secs => 1 + (g % 100) * 0.05))
FROM generate_series(1, 1000) AS g;
SQL
deadline=$((SECONDS + 60))
while [ "$(q -c "SELECT count(*) FROM paperclip.issues WHERE checkout_run_id IS NOT NULL")" != 0 ]; do
    [ $SECONDS -gt $deadline ] && { echo "reaper did not release every lock within 60 s" >&2; break; }
    sleep 0.5
done
q -F ' ' > "$OUT/reaper_latency.txt" <<'SQL'
WITH lat AS (
    SELECT extract(epoch FROM a.created_at - l.expires_at) AS s
    FROM paperclip.activity_log AS a
    JOIN paperclip.run_leases AS l ON l.run_id = (a.details->>'previousRunId')::uuid
    WHERE a.action = 'issue.stale_lock_cleared' AND a.details->>'source' = 'lease_reaper')
SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::numeric, 3),
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s)::numeric, 3),
       round(max(s)::numeric, 3), round(min(s)::numeric, 3),
       (SELECT count(DISTINCT xmin::text) FROM paperclip.activity_log WHERE details->>'source' = 'lease_reaper')
FROM lat;
SQL
read -r n p50 p99 max min txns < "$OUT/reaper_latency.txt"

# ---- 2. renewal cost ----
cat > "$OUT/floor.sql" <<'EOF2'
\set n random(1, 1000)
UPDATE floor.run_leases SET expires_at = clock_timestamp() + interval '2 minutes', renewed_at = clock_timestamp()
WHERE run_id = ('00000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid;
EOF2
cat > "$OUT/renew.sql" <<'EOF2'
\set n random(1, 1000)
SELECT paperclip.renew_run_lease(('00000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid, '2 minutes');
EOF2
cat > "$OUT/renew_agent.sql" <<'EOF2'
\set n random(1, 1000)
BEGIN;
SELECT paperclip.set_actor_agent('00000000-0000-4000-8000-0000000000a1', ('00000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid);
SELECT paperclip.renew_run_lease(('00000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid, '2 minutes');
COMMIT;
EOF2
point() {  # name script synchronous_commit -> mean latency ms
    PGOPTIONS="-c synchronous_commit=$3" "$PGBIN/pgbench" -n -M prepared -c 1 -j 1 -T "$SECONDS_PER_POINT" \
        -f "$OUT/$2" postgres >"$OUT/$1-$3.txt" 2>&1
    grep -E '^latency average' "$OUT/$1-$3.txt" | sed -E 's/.*= ([0-9.]+) ms/\1/'
}
declare -A lat
for sc in off on; do
    for w in floor renew renew_agent; do
        echo "== pgbench $w (synchronous_commit=$sc, $SECONDS_PER_POINT s)"
        lat[$w-$sc]=$(point "$w" "$w.sql" "$sc")
    done
done
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }

{
    echo "## Run leases (bench/leases.sh)"
    echo
    echo "Machine: $(nproc) vCPU, $(uname -r); load average at end $(cut -d' ' -f1-3 /proc/loadavg). PostgreSQL $(q -c 'SHOW server_version'), fsync=on; paperclip_locks preloaded, reaper interval $(q -c 'SHOW paperclip.lease_reaper_interval'), batch $(q -c 'SHOW paperclip.lease_reaper_batch_size')."
    echo
    echo "### Reaper: expiry to release"
    echo
    echo "$n locks of 1,000 runs whose leases (1 s to 5.95 s) expired unrenewed, released by the reaper in $txns transactions."
    echo "Latency = start of the releasing transaction - expires_at."
    echo
    echo "| p50 | p99 | max | min | target |"
    echo "|---|---|---|---|---|"
    echo "| ${p50} s | ${p99} s | ${max} s | ${min} s | p99 < 2 s: $(awk "BEGIN { print ($p99 < 2) ? \"met\" : \"not met\" }") |"
    echo
    echo "### renew_run_lease against the floor (1 client, pgbench -M prepared, ${SECONDS_PER_POINT} s per point)"
    echo
    echo "| synchronous_commit | floor: bare UPDATE (ms) | renew_run_lease as operator (ms) | ratio | agent: set_actor_agent + renew in one transaction (ms) | ratio |"
    echo "|---|---|---|---|---|---|"
    for sc in off on; do
        echo "| $sc | ${lat[floor-$sc]} | ${lat[renew-$sc]} | $(ratio "${lat[renew-$sc]}" "${lat[floor-$sc]}")x | ${lat[renew_agent-$sc]} | $(ratio "${lat[renew_agent-$sc]}" "${lat[floor-$sc]}")x |"
    done
    echo
    echo "Target: renew_run_lease under 1.5x the floor's single UPDATE: $(awk "BEGIN { print (${lat[renew-off]} / ${lat[floor-off]} < 1.5) ? \"met\" : \"not met\" }") at synchronous_commit=off (CPU), $(awk "BEGIN { print (${lat[renew-on]} / ${lat[floor-on]} < 1.5) ? \"met\" : \"not met\" }") at synchronous_commit=on (durable commits)."
} > "$OUT/report.md"
