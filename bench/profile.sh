#!/usr/bin/env bash
# Where the time goes: builds and stages the extension, starts a throwaway
# PostgreSQL 15 (pg_virtualenv -t), loads a dataset, restarts the postmaster
# under valgrind --tool=callgrind and measures instructions per transaction of
# every workload (bench/profile.py). Writes bench/results/profile-<timestamp>/
# profile.md, profile.json and the raw callgrind files. About 10 minutes.
# (perf stat -e instructions is not supported on this VM: no hardware counters.)
#   bench/profile.sh [--issues N] [--n1 50 --n2 350] [--workloads paperclip,floor]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. "$ROOT/test/stage.sh"  # sets STAGE
PKGLIBDIR=$(pg_config --pkglibdir)
PGBIN=/usr/lib/postgresql/15/bin
command -v valgrind >/dev/null || { echo "missing: valgrind (apt-get install -y valgrind)" >&2; exit 1; }

make -s -j"$(nproc)" >/dev/null
rm -rf "$STAGE"
make -s install DESTDIR="$STAGE" >/dev/null

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
