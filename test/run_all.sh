#!/usr/bin/env bash
# Runs every suite -- regress, isolation, unit, client -- against a throwaway
# PostgreSQL 15 (pg_virtualenv), with the extension staged (test/stage.sh),
# never touching the system installation. Prints per-suite results and ends
# with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
PGV=${PGVERSION_UNDER_TEST:-15}
. "$ROOT/test/stage.sh"  # sets STAGE
LOGDIR=$ROOT/build/test-logs
PKGLIBDIR=$(pg_config --pkglibdir)
mkdir -p "$LOGDIR" && rm -f "$LOGDIR"/*

passed=0
failed=0
note() { printf '== %s\n' "$*"; }
count_pg_regress() {  # suite log -> adds to totals
    local ok bad
    ok=$(grep -cE '\.\.\. ok' "$2" || true)
    bad=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$2" || true)
    note "$1: $ok passed, $bad failed"
    passed=$((passed + ok)); failed=$((failed + bad))
    if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then note "$1: ran no test"; failed=$((failed + 1)); fi
}
count_ctest() {
    local line total bad
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of' "$2" | tail -1)
    if [ -z "$line" ]; then note "$1: no ctest summary"; failed=$((failed + 1)); return; fi
    bad=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
    note "$1: $((total - bad)) passed, $bad failed"
    passed=$((passed + total - bad)); failed=$((failed + bad))
}

note "build"
make -s -j2 ERROR_ON_WARNING=1 >"$LOGDIR/build.log" 2>&1 || { cat "$LOGDIR/build.log"; echo "0 passed, 1 failed"; exit 1; }
rm -rf "$STAGE"
make -s install DESTDIR="$STAGE" >>"$LOGDIR/build.log" 2>&1 || { cat "$LOGDIR/build.log"; echo "0 passed, 1 failed"; exit 1; }
cmake -S . -B build/cmake -DPAPERCLIP_WERROR=ON >"$LOGDIR/cmake.log" 2>&1 &&
    cmake --build build/cmake -j2 >>"$LOGDIR/cmake.log" 2>&1 ||
    { cat "$LOGDIR/cmake.log"; echo "0 passed, 1 failed"; exit 1; }

# Script suites log to build/test-logs/<name>.log, end with "<name>: ok" when
# they passed, and get their wall time appended.
run_script() {  # name command... -> runs it into its log, timed
    local name=$1 t=$SECONDS
    shift
    "$@" >"$LOGDIR/$name.log" 2>&1
    echo "elapsed: $((SECONDS - t)) s" >>"$LOGDIR/$name.log"
}
RUN_SCRIPT_DEF=$(declare -f run_script)

note "deps (tools/deps.sh against stub apt-get and dpkg-query)"
run_script deps test/deps_test.sh
note "meta_json (META.json against the PGXN Meta Spec, offline)"
run_script meta_json test/meta_json_test.sh

note "unit tests (GoogleTest, no server)"
(cd build/cmake && ctest -LE client --output-on-failure) >"$LOGDIR/unit.log" 2>&1
count_ctest unit "$LOGDIR/unit.log"

# Everything that needs a server runs inside one throwaway cluster, on a
# port nothing listens on (pg_virtualenv only looks for sockets in
# /var/run/postgresql; other throwaway clusters on this machine may hold the
# next TCP port).
free_port() {
    local port=$((5440 + RANDOM % 400))
    while [ -e "/var/run/postgresql/.s.PGSQL.$port" ] || ss -ltn 2>/dev/null | grep -q ":$port "; do
        port=$((port + 1))
    done
    echo "$port"
}
note "server suites (pg_virtualenv -v $PGV)"
PGPORT=$(free_port) pg_virtualenv -t -v "$PGV" \
    -o "extension_destdir=$STAGE" \
    -o "dynamic_library_path=$STAGE$PKGLIBDIR:$PKGLIBDIR" \
    -o "max_connections=60" \
    bash -c "LOGDIR='$LOGDIR'; $RUN_SCRIPT_DEF"'
        make installcheck ISOLATION= >"'"$LOGDIR"'/regress.part" 2>&1
        if ls specs/*.spec >/dev/null 2>&1; then
            make installcheck REGRESS= >"'"$LOGDIR"'/isolation.part" 2>&1
        fi
        (cd build/cmake && ctest -L client --output-on-failure) >"'"$LOGDIR"'/client.log" 2>&1
        run_script dump_restore test/dump_restore.sh
        run_script upgrade_drift test/upgrade_drift.sh
        run_script upgrade test/upgrade.sh
        run_script upgrade_failed test/upgrade_failed.sh
        test/attach/run.sh >"'"$LOGDIR"'/attach.part" 2>&1
        run_script fuzz test/fuzz/run.sh
        exit 0
    ' >"$LOGDIR/virtualenv.log" 2>&1

touch "$LOGDIR/regress.part" "$LOGDIR/isolation.part"
count_pg_regress regress "$LOGDIR/regress.part"
if ls specs/*.spec >/dev/null 2>&1; then count_pg_regress isolation "$LOGDIR/isolation.part"; fi
count_ctest client "$LOGDIR/client.log"
# Script suites: each ends with "<name>: ok" when it passed.
count_script() {  # name -> adds one pass or one failure
    local took
    took=$(sed -n 's/^elapsed: \([0-9]*\) s$/ (\1 s)/p' "$LOGDIR/$1.log" 2>/dev/null | tail -1)
    if grep -q "^$1: ok" "$LOGDIR/$1.log" 2>/dev/null; then
        note "$1: 1 passed, 0 failed$took"; passed=$((passed + 1))
    else
        note "$1: 0 passed, 1 failed$took"; failed=$((failed + 1)); tail -60 "$LOGDIR/$1.log" 2>/dev/null
    fi
}
count_script deps
count_script meta_json
count_script dump_restore
count_script upgrade_drift
count_script upgrade
count_script upgrade_failed
touch "$LOGDIR/attach.part"
count_pg_regress attach "$LOGDIR/attach.part"
count_script fuzz

# The lease reaper on a cluster of its own with paperclip_locks preloaded,
# and the pg_cron fallback on another (test/lease_reaper.sh, ~1.5 min: pg_cron
# 1.4 schedules by the minute). Its last line is "N passed, N failed".
note "lease reaper and pg_cron sweep (own clusters)"
test/lease_reaper.sh >"$LOGDIR/lease_reaper.log" 2>&1
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOGDIR/lease_reaper.log" | tail -1)
if [ -n "$line" ]; then
    ok=${line%% passed*}; bad=${line#*passed, }; bad=${bad%% failed*}
    note "lease_reaper: $ok passed, $bad failed"
    passed=$((passed + ok)); failed=$((failed + bad))
    [ "$bad" -eq 0 ] || grep -vE '^ok ' "$LOGDIR/lease_reaper.log" | tail -40
else
    note "lease_reaper: no result"; failed=$((failed + 1)); tail -40 "$LOGDIR/lease_reaper.log"
fi

# pg_cron needs a cluster of its own (shared_preload_libraries).
note "pg_cron (its own cluster; the job fires on the minute)"
PGPORT=$(free_port) run_script pg_cron test/pg_cron.sh
count_script pg_cron

# docs/dba.md's SQL as written (its own cluster: it drops the group roles).
note "dba_doc (docs/dba.md's SQL blocks, in order)"
PGPORT=$(free_port) run_script dba_doc test/dba_doc_test.sh
count_script dba_doc

# The Debian package, built, installed with dpkg -i and used (.ci/package):
# it installs into the system, so only in CI or when asked.
if [ "${CI:-}" = true ] || [ -n "${PACKAGE_TEST:-}" ]; then
    note "package (dpkg-buildpackage, dpkg -i, CREATE EXTENSION from the installed files)"
    run_script package .ci/package
    count_script package
else
    note "package: not run (it installs into the system; CI=true or PACKAGE_TEST=1 runs it)"
fi

# Upstream Paperclip's published code as client and oracle (test/upstream/:
# its schema from @paperclipai/db's migrations, its real issue routes, the
# error mapping, the 5,000-case differential oracle), on a cluster of its own.
# npm installs the pinned packages on first use (cache under build/npm-cache).
# Its last line is "N passed, N failed".
count_upstream() {  # label log
    local line ok bad
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$2" | tail -1)
    if [ -n "$line" ]; then
        ok=${line%% passed*}; bad=${line#*passed, }; bad=${bad%% failed*}
        note "$1: $ok passed, $bad failed"
        passed=$((passed + ok)); failed=$((failed + bad))
        [ "$bad" -eq 0 ] || grep -E '✖|AssertionError|Error:|^seed|UNLISTED' "$2" | head -40
    else
        note "$1: no result"; failed=$((failed + 1)); tail -40 "$2"
    fi
}
note "upstream (Paperclip 2026.916.1 from npm; test/upstream/run.sh)"
PAPERCLIP_STAGE="$STAGE" test/upstream/run.sh </dev/null >"$LOGDIR/upstream.log" 2>&1
count_upstream upstream "$LOGDIR/upstream.log"
# The same route scenarios on upstream's schema attached in compat mode, as
# soon as the build ships paperclip_locks_attach.
if [ -f "$STAGE$(pg_config --sharedir)/extension/paperclip_locks_attach.control" ]; then
    note "upstream, attached in compat mode"
    ATTACH_MODE=compat PAPERCLIP_STAGE="$STAGE" test/upstream/run.sh </dev/null >"$LOGDIR/upstream_compat.log" 2>&1
    count_upstream upstream_compat "$LOGDIR/upstream_compat.log"
fi

# A short concurrency stress with its invariant checker (test/stress.sh; the
# long runs are in the README). Its last line is "N passed, N failed".
if [ "${STRESS_SECONDS:-60}" -gt 0 ]; then
    note "stress (${STRESS_SECONDS:-60} s, 8 clients)"
    PGPORT=$(free_port) test/stress.sh --duration "${STRESS_SECONDS:-60}" --clients 8 >"$LOGDIR/stress.log" 2>&1
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOGDIR/stress.log" | tail -1)
    if [ -n "$line" ]; then
        ok=${line%% passed*}; bad=${line#*passed, }; bad=${bad%% failed*}
        note "stress: $ok passed, $bad failed"
        passed=$((passed + ok)); failed=$((failed + bad))
        [ "$bad" -eq 0 ] || tail -40 "$LOGDIR/stress.log"
    else
        note "stress: no result"; failed=$((failed + 1)); tail -40 "$LOGDIR/stress.log"
    fi
fi

if [ "$failed" -ne 0 ]; then
    for f in regression.diffs output_iso/regression.diffs; do [ -f "$f" ] && { note "$f"; head -c 20000 "$f"; }; done
    grep -E 'FAILED|Failed|failed' "$LOGDIR/unit.log" "$LOGDIR/client.log" | head -40
fi
note "took $SECONDS s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
