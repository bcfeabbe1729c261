#!/usr/bin/env bash
# The benchmark, one command: builds and stages the extension, starts a
# throwaway PostgreSQL 15 (pg_virtualenv -t, like test/run_all.sh), builds the
# datasets, runs every point and writes bench/results/<timestamp>/ (report.md,
# summary.json, throughput.png, pgbench outputs) and bench/results/latest.
# The cluster is dropped when it ends.
#
#   bench/run.sh            1,000,000 issues (+ 10,000 and 100,000 for scaling) on the
#                           own tables, then 1,000,000 on upstream's schema; about 80 min on this 2-core machine
#   bench/run.sh --small    10,000 issues (upstream scaling copy: 2,000), no own scaling datasets, short points
#   bench/run.sh --schemas upstream   only upstream Paperclip's real schema (default: own,upstream)
# The upstream part installs the pinned npm packages first (test/upstream/install.sh,
# about 2 minutes the first time).
#   PAPERCLIP_STAGE=/abs/stage bench/run.sh   benchmark a build staged there instead of building this tree
#   extra arguments go to bench/bench.py (e.g. --duration 30 --clients 1,2,4,8,16)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. "$ROOT/test/stage.sh"  # sets STAGE
PKGLIBDIR=$(pg_config --pkglibdir)
PGBIN=/usr/lib/postgresql/15/bin

ARGS=()
SMALL=0
for a in "$@"; do
    case $a in
        --small) SMALL=1 ;;
        *) ARGS+=("$a") ;;
    esac
done
if [ "$SMALL" = 1 ]; then
    ARGS=(--issues 10000 --scales "" --up-scales 2000 --duration 8 --short 5 --scale-duration 4 --warmup 2 \
          --quiet-wait 5 "${ARGS[@]}")
fi

for tool in pg_virtualenv python3 "$PGBIN/pgbench"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
command -v gnuplot >/dev/null || echo "note: gnuplot not installed (apt-get install -y gnuplot-nox): no chart" >&2

if [ -n "${PAPERCLIP_STAGE:-}" ]; then
    # A build staged elsewhere (make install DESTDIR=<abs dir>), e.g. another
    # branch's, benchmarked as it is: nothing is built here.
    STAGE=$PAPERCLIP_STAGE
    echo "== using the extension staged in $STAGE"
else
    echo "== build and stage the extension"
    make -s -j"$(nproc)" >/dev/null
    rm -rf "$STAGE"
    make -s install DESTDIR="$STAGE" >/dev/null
fi

RUN=$(date +%Y%m%d-%H%M%S)
OUT=$ROOT/bench/results/$RUN
mkdir -p "$OUT"
chmod 777 "$OUT"  # pgbench runs as root, but keep it writable for anyone

# A port of our own: other throwaway clusters on this machine take 5432 and up.
port=5433
while [ -e "/var/run/postgresql/.s.PGSQL.$port" ] || ss -ltn 2>/dev/null | grep -q ":$port "; do
    port=$((port + 1))
done

# Durability as in production (fsync and synchronous_commit on: pg_virtualenv
# turns fsync off by default), memory for a 1M-issue dataset in every copy,
# and no checkpoint during the run (one is taken after the load). The csvlog
# is how bench/upstream/capture.mjs reads the statements upstream's server
# sends (log_statement=all for that one role only, during the capture only).
echo "== throwaway cluster on port $port; results in $OUT"
export PATH=$PGBIN:$PATH
PGPORT=$port pg_virtualenv -t -v 15 \
    -o "extension_destdir=$STAGE" \
    -o "dynamic_library_path=$STAGE$PKGLIBDIR:$PKGLIBDIR" \
    -o fsync=on -o synchronous_commit=on \
    -o shared_buffers=2GB -o effective_cache_size=8GB -o work_mem=16MB -o maintenance_work_mem=1GB \
    -o max_wal_size=20GB -o checkpoint_timeout=1h -o max_connections=100 \
    -o logging_collector=on -o log_destination=csvlog \
    python3 "$ROOT/bench/bench.py" --out "$OUT" "${ARGS[@]}"

ln -sfn "$RUN" "$ROOT/bench/results/latest"
echo "== report: bench/results/latest/report.md"
cat "$OUT/report.md" | sed -n '/^## Targets/,/^!\[/p'
