#!/usr/bin/env bash
# The eager release of SPEC §9, on clusters of its own:
#   1. paperclip_locks in shared_preload_libraries, the reaper watching the
#      database "postgres": test/lease_reaper/reaper.sql;
#   2. no preloading, pg_cron (Debian's postgresql-15-cron, preloaded)
#      scheduling paperclip.sweep_all_stale_locks: test/lease_reaper/cron.sql;
#   3. as 1, on upstream Paperclip's real schema (test/upstream/create-schema.sh)
#      attached with run_lease_column: test/lease_reaper/reaper_attach.sql.
# Each check records a row; prints them and ends with "N passed, N failed".
# Needs the extension staged (test/stage.sh; test/run_all.sh does that).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
PGV=${PGVERSION_UNDER_TEST:-15}
. "$ROOT/test/stage.sh"  # sets STAGE (readable by the postgres user)
PKGLIBDIR=$(pg_config --pkglibdir)
SUITES=${LEASE_REAPER_SUITES:-"reaper cron reaper_attach"}

# Inside a cluster: run one suite's checks, print its results.
if [ "${1:-}" = --inside ]; then
    suite=$2
    if [ "$suite" = reaper_attach ]; then
        test/upstream/create-schema.sh postgres >/dev/null || echo "[$suite] could not create upstream's schema"
    fi
    psql -X -q -d postgres -f test/lease_reaper/checks.sql >/dev/null
    psql -X -q -d postgres -v ON_ERROR_STOP=0 -f "test/lease_reaper/$suite.sql" 2>&1 >/dev/null | sed "s/^/[$suite] /"
    [ "$suite" = reaper ] && test/lease_reaper/lease_stress.sh 2>&1 >/dev/null | sed "s/^/[$suite] /"
    # Any check missing from the expected list counts as failed.
    psql -X -At -d postgres -c "SELECT CASE WHEN ok THEN 'ok' ELSE 'FAIL' END || ' $suite: ' || name ||
                                      coalesce(' -- ' || note, '') FROM public.check_results ORDER BY n"
    exit 0
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
common=(-t -v "$PGV" -o "extension_destdir=$STAGE" -o "dynamic_library_path=$STAGE$PKGLIBDIR:$PKGLIBDIR")
# Other throwaway clusters on this machine may take a port at the same
# moment: start at a random free port, and try again when the cluster could
# not be created (its checks then never ran).
free_port() {
    local port=$((5440 + RANDOM % 400))
    while [ -e "/var/run/postgresql/.s.PGSQL.$port" ] || ss -ltn 2>/dev/null | grep -q ":$port "; do
        port=$((port + 1))
    done
    echo "$port"
}
run_suite() {  # suite, pg_virtualenv options...
    local suite=$1 attempt log
    shift
    log=$(mktemp)
    for attempt in 1 2 3; do
        PGPORT=$(free_port) pg_virtualenv "${common[@]}" "$@" "$0" --inside "$suite" >"$log" 2>&1
        grep -qE "^(ok|FAIL) $suite: " "$log" && break
        echo "[$suite] cluster attempt $attempt failed:" >>"$out"; sed "s/^/[$suite]   /" "$log" | tail -5 >>"$out"
        sleep $((RANDOM % 5 + 1))
    done
    cat "$log" >>"$out"
    rm -f "$log"
}
for suite in $SUITES; do
    case $suite in
        reaper_attach)
            run_suite reaper_attach \
                -o "shared_preload_libraries=paperclip_locks" \
                -o "paperclip.lease_reaper_databases=postgres" ;;
        reaper)
            run_suite reaper \
                -o "shared_preload_libraries=paperclip_locks" \
                -o "paperclip.lease_reaper_databases=postgres" \
                -o "paperclip.lease_reaper_batch_size=2" ;;
        cron)
            run_suite cron \
                -o "shared_preload_libraries=pg_cron" \
                -o "cron.database_name=postgres" \
                -o "cron.use_background_workers=on" \
                -o "max_worker_processes=16" ;;
    esac
done
grep -vE '^(ok|FAIL) ' "$out" | grep -E '\[(reaper|cron|reaper_attach)\]' || true
grep -E '^(ok|FAIL) ' "$out"
ok=$(grep -cE '^ok ' "$out" || true)
bad=$(grep -cE '^FAIL ' "$out" || true)
# Each suite lists how many checks it records; fewer rows is a failure.
for suite in $SUITES; do
    files=("test/lease_reaper/$suite.sql")
    [ "$suite" = reaper ] && files+=(test/lease_reaper/lease_stress.sh)
    want=$(cat "${files[@]}" | grep -cE "^(CALL public\.(wait_for|record))")
    got=$(grep -cE "^(ok|FAIL) $suite: " "$out" || true)
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $suite: $got of $want checks recorded"; bad=$((bad + want - got))
    fi
done
if [ "$bad" -ne 0 ]; then echo "--- full output"; cat "$out"; fi
echo "$ok passed, $bad failed"
[ "$bad" -eq 0 ]
