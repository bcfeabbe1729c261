#!/usr/bin/env bash
# Concurrency stress test: builds and stages the extension, starts a throwaway
# PostgreSQL 15 (pg_virtualenv -t), loads a dataset, runs N clients for S
# seconds over a mixed workload (test/stress/stress.cpp), checks the invariants
# during the run (a checker thread) and afterwards, and prints operation counts,
# errors by SQLSTATE and one line per invariant. Ends with "N passed, N failed"
# and exits non-zero on any violation.
#
#   test/stress.sh [--duration S] [--clients N] [--crash] [--seed N] [-- driver options]
#
# --crash stops PostgreSQL with an immediate shutdown (pg_ctlcluster ... stop
# -m immediate) at 40% of the run, starts it again 5 s later, and checks that
# nothing a client saw commit was lost. pg_virtualenv runs the cluster with
# fsync=off: an immediate shutdown kills PostgreSQL only, the OS page cache
# survives, so this proves crash recovery from WAL -- not durability across a
# power loss or kernel crash.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=60
CLIENTS=8
CRASH=0
SEED=0
EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift 2 ;;
        --clients) CLIENTS=$2; shift 2 ;;
        --crash) CRASH=1; shift ;;
        --seed) SEED=$2; shift 2 ;;
        --) shift; EXTRA=("$@"); break ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "stress.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
PGV=${PGVERSION_UNDER_TEST:-15}
. "$ROOT/test/stage.sh"  # sets STAGE
LOGDIR=$ROOT/build/stress-logs
PKGLIBDIR=$(pg_config --pkglibdir)
mkdir -p "$LOGDIR" && rm -f "$LOGDIR"/*
note() { printf '== %s\n' "$*"; }

note "build"
{
    make -s -j2 ERROR_ON_WARNING=1 && rm -rf "$STAGE" && make -s install DESTDIR="$STAGE" &&
        cmake -S . -B build/cmake -DPAPERCLIP_WERROR=ON && cmake --build build/cmake --target stress -j2
} >"$LOGDIR/build.log" 2>&1 || { tail -50 "$LOGDIR/build.log"; echo "0 passed, 1 failed"; exit 1; }

export STRESS_BIN=$ROOT/build/cmake/stress STRESS_LOGDIR=$LOGDIR STRESS_DURATION=$DURATION \
    STRESS_CLIENTS=$CLIENTS STRESS_CRASH=$CRASH STRESS_SEED=$SEED STRESS_EXTRA="${EXTRA[*]:-}"
note "stress: $CLIENTS clients, $DURATION s$([ "$CRASH" = 1 ] && echo ', immediate shutdown mid-run') (pg_virtualenv -v $PGV)"
pg_virtualenv -t -v "$PGV" \
    -o "extension_destdir=$STAGE" \
    -o "dynamic_library_path=$STAGE$PKGLIBDIR:$PKGLIBDIR" \
    -o "max_connections=$((CLIENTS + 40))" \
    -o "deadlock_timeout=200ms" \
    bash -c '
        set -u
        L=$STRESS_LOGDIR/ledger.tsv
        SEEDOPT=(); [ "$STRESS_SEED" != 0 ] && SEEDOPT=(--seed "$STRESS_SEED")
        echo "data directory: $(psql -XAtc "SHOW data_directory") (fsync=$(psql -XAtc "SHOW fsync"))"
        "$STRESS_BIN" setup --clients "$STRESS_CLIENTS" $STRESS_EXTRA || exit 10
        "$STRESS_BIN" run --clients "$STRESS_CLIENTS" --duration "$STRESS_DURATION" --ledger "$L" \
            "${SEEDOPT[@]}" $([ "$STRESS_CRASH" = 1 ] && echo --expect-crash) $STRESS_EXTRA \
            2>"$STRESS_LOGDIR/run.log" &
        pid=$!
        if [ "$STRESS_CRASH" = 1 ]; then
            sleep "$(awk "BEGIN { print $STRESS_DURATION * 0.4 }")"
            echo "crash: pg_ctlcluster $PGVERSION regress stop -m immediate at $(date +%T)"
            pg_ctlcluster "$PGVERSION" regress stop -m immediate ||
                runuser -u postgres -- /usr/lib/postgresql/$PGVERSION/bin/pg_ctl \
                    -D "$(pg_conftool -s "$PGVERSION" regress show data_directory)" stop -m immediate
            sleep 5
            echo "crash: pg_ctlcluster $PGVERSION regress start at $(date +%T)"
            pg_ctlcluster "$PGVERSION" regress start || exit 11
        fi
        wait $pid; rc=$?
        grep -E "^  t=|^stress run|VIOLATION|^ERROR" "$STRESS_LOGDIR/run.log" | head -60
        [ $rc -eq 0 ] || { echo "driver exited $rc"; tail -30 "$STRESS_LOGDIR/run.log"; exit 12; }
        "$STRESS_BIN" check --ledger "$L" >"$STRESS_LOGDIR/check.log" 2>&1
        cp "$(dirname "$PG_CLUSTER_CONF_ROOT")"/log/*.log "$STRESS_LOGDIR/postgresql.log" 2>/dev/null
        exit 0
    ' >"$LOGDIR/virtualenv.log" 2>&1
venv_rc=$?
cat "$LOGDIR/virtualenv.log" | grep -vE '^(Creating new|Dropping cluster)' | grep -v '^\*\*\*' | head -80
[ -f "$LOGDIR/check.log" ] && cat "$LOGDIR/check.log"

passed=0
failed=0
line=$(grep -E '^RESULT passed=[0-9]+ failed=[0-9]+' "$LOGDIR/check.log" 2>/dev/null | tail -1)
if [ -n "$line" ]; then
    passed=$(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$line")
    failed=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$line")
else
    note "the checker produced no result (pg_virtualenv exit $venv_rc; logs in $LOGDIR)"
    failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
