#!/usr/bin/env bash
# Where the time goes: builds and stages the extension, starts a throwaway
# PostgreSQL 15 (pg_virtualenv -t), loads a dataset, restarts the postmaster
# under valgrind --tool=callgrind and measures instructions per transaction of
# every workload (bench/profile.py). Writes bench/results/profile-<timestamp>/
# profile.md, profile.json and the raw callgrind files. About 10 minutes.
# (perf stat -e instructions is not supported on this VM: no hardware counters.)
#   bench/profile.sh [--issues N] [--n1 50 --n2 350] [--workloads paperclip,floor]
#   bench/profile.sh --workloads sweep    instructions per drain / per sweep_stale_locks call
#   PAPERCLIP_STAGE=/abs/stage bench/profile.sh ...   profile a build staged there
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. "$ROOT/test/stage.sh"  # sets STAGE
PKGLIBDIR=$(pg_config --pkglibdir)
PGBIN=/usr/lib/postgresql/15/bin
command -v valgrind >/dev/null || { echo "missing: valgrind (apt-get install -y valgrind)" >&2; exit 1; }

if [ -n "${PAPERCLIP_STAGE:-}" ]; then
    # A build staged elsewhere (make install DESTDIR=<abs dir>), e.g. the
    # commit before a change, for a before/after count: nothing is built here.
    STAGE=$PAPERCLIP_STAGE
    echo "== using the extension staged in $STAGE"
else
    make -s -j"$(nproc)" >/dev/null
    rm -rf "$STAGE"
    make -s install DESTDIR="$STAGE" >/dev/null
fi

OUT=$ROOT/bench/results/profile-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
port=5433
while [ -e "/var/run/postgresql/.s.PGSQL.$port" ] || ss -ltn 2>/dev/null | grep -q ":$port "; do
    port=$((port + 1))
done
export PATH=$PGBIN:$PATH
PGPORT=$port pg_virtualenv -t -v 15 \
    -o "extension_destdir=$STAGE" \
    -o "dynamic_library_path=$STAGE$PKGLIBDIR:$PKGLIBDIR" \
    -o fsync=on -o synchronous_commit=on \
    -o shared_buffers=1GB -o maintenance_work_mem=1GB -o max_wal_size=20GB -o checkpoint_timeout=1h \
    python3 "$ROOT/bench/profile.py" --out "$OUT" "$@"
ln -sfn "$(basename "$OUT")" "$ROOT/bench/results/profile-latest"
