#!/usr/bin/env bash
# Fuzzing (issue 12, item 14), against the server in the PG* environment:
#   1. the targeted generator (test/fuzz/generate.py): FUZZ_CALLS statements
#      calling every function and writing every table with hostile arguments,
#      as a role granted paperclip_app (and some as the superuser, attaching
#      trigger functions where they do not belong), in one session;
#   2. Debian's sqlsmith: FUZZ_QUERIES random queries over everything a role
#      granted paperclip_app can see, then as one granted paperclip_operator.
# Fails on a crash (a sentinel session opened first must survive), on any
# XX000, or when the generator's backend grew by more than FUZZ_MAX_GROWTH_KB
# after its warm-up. Prints "fuzz: ok" or "fuzz: FAILED ...".
set -uo pipefail
cd "$(dirname "$0")/../.."
seed=${FUZZ_SEED:-42}
calls=${FUZZ_CALLS:-3000}
queries=${FUZZ_QUERIES:-2000}
max_growth=${FUZZ_MAX_GROWTH_KB:-65536}
db=pc_fuzz_$$
role=pc_fuzz_app_$$
operator=pc_fuzz_operator_$$
work=$(mktemp -d)
fail() { echo "fuzz: FAILED: $*"; exit 1; }
cleanup() {
    [ -n "${sentinel_fd:-}" ] && exec {sentinel_fd}>&-
    dropdb --if-exists "$db" >/dev/null 2>&1
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" -c "DROP ROLE IF EXISTS $operator" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

createdb "$db" || fail "createdb"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL || fail "setup"
CREATE EXTENSION paperclip_locks;
CREATE ROLE $role LOGIN PASSWORD 'fuzz';
GRANT paperclip_app TO $role;
CREATE ROLE $operator LOGIN PASSWORD 'fuzz';
GRANT paperclip_operator TO $operator;
SQL

# sqlsmith logs into these tables (its log.sql, which Debian does not ship):
# every error with its SQLSTATE.
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL' || fail "sqlsmith log tables"
CREATE TABLE public.instance (id bigserial PRIMARY KEY, rev text, target text, hostname text, version text,
                              seed text, t timestamptz DEFAULT now());
CREATE TABLE public.error (id bigint REFERENCES public.instance (id), msg text, query text, sqlstate text,
                           t timestamptz DEFAULT now(), errid bigserial PRIMARY KEY);
CREATE TABLE public.stat (id bigint REFERENCES public.instance (id), generated double precision, level double precision,
                          nodes double precision, updated timestamptz, retries double precision, impedance jsonb);
SQL

# The sentinel: a session opened before any fuzzing. A backend crash makes
# the postmaster end every session, this one included.
mkfifo "$work/sentinel.in"
psql -X -At -d "$db" <"$work/sentinel.in" >"$work/sentinel.out" 2>&1 &
sentinel_pid=$!
exec {sentinel_fd}>"$work/sentinel.in"
echo "SELECT 'sentinel up';" >&"$sentinel_fd"

echo "-- generator: $calls statements, seed $seed"
python3 test/fuzz/generate.py "$seed" "$calls" "$role" >"$work/generated.sql" || fail "generator"
psql -X -d "$db" -f "$work/generated.sql" >"$work/generated.out" 2>&1
grep -q 'fuzz done' "$work/generated.out" ||
    { tail -20 "$work/generated.out"; fail "the generator's session did not finish (crash?)"; }
if grep -n 'ERROR:  XX000' "$work/generated.out" | head -5 | grep .; then fail "XX000 from the generator"; fi
growth=$(sed -nE 's/^ *fuzz rss growth kB: (-?[0-9]+)$/\1/p' "$work/generated.out")
[ -n "$growth" ] || fail "no memory measurement"
echo "-- generator: $(grep -c 'ERROR:  ' "$work/generated.out") errors (none XX000), backend grew ${growth} kB after warm-up"
[ "$growth" -le "$max_growth" ] || fail "backend memory grew by ${growth} kB (limit $max_growth)"
codes=$(grep -oE 'ERROR:  [0-9A-Z]{5}' "$work/generated.out" | sort | uniq -c | sort -rn | awk '{printf "%s %s, ", $3, $1}')
echo "-- generator SQLSTATEs: $codes"

for who in "$role" "$operator"; do
    echo "-- sqlsmith: $queries queries as $who"
    sqlsmith --target="dbname=$db user=$who password=fuzz" --seed="$seed" --max-queries="$queries" --exclude-catalog \
        --log-to="dbname=$db" >"$work/sqlsmith.out" 2>&1 </dev/null
    rc=$?
    [ $rc -eq 0 ] || { tail -5 "$work/sqlsmith.out"; fail "sqlsmith exited with $rc"; }
done
# sqlsmith logged every error, with its SQLSTATE and query, into table
# "error". It also finds XX000s in PostgreSQL's own functions (a random typmod
# handed to intervaltypmodout, an unknown-typed argument, ...). Each XX000 of
# a query that touches the extension is run again (in a rolled-back
# transaction, as the role that sent it) with VERBOSITY verbose: an error
# located in PostgreSQL's C sources is PostgreSQL's; one with no location or
# located in the extension's C++ sources is the extension's, and fails the run.
ext_xx=0
core_xx=0
for id in $(psql -X -At -d "$db" -c "SELECT errid FROM public.error WHERE sqlstate = 'XX000' AND query ~* 'paperclip\.'"); do
    who=$(psql -X -At -d "$db" -c "SELECT i.target FROM public.error e JOIN public.instance i USING (id) WHERE e.errid = $id" |
          sed -nE 's/.*user=([^ ]+).*/\1/p')
    { echo '\set VERBOSITY verbose'; echo 'BEGIN;';
      psql -X -At -d "$db" -c "SELECT query FROM public.error WHERE errid = $id"; echo ';'; echo 'ROLLBACK;'; } >"$work/replay.sql"
    PGPASSWORD=fuzz psql -X -d "$db" -U "$who" -f "$work/replay.sql" >"$work/replay.out" 2>&1
    if grep -q 'ERROR:  XX000' "$work/replay.out" &&
       ! grep -A3 'ERROR:  XX000' "$work/replay.out" | grep -qE '^(psql:[^ ]+ )?LOCATION:  .*\.c:[0-9]+$'; then
        ext_xx=$((ext_xx + 1)); grep -A3 'ERROR:  XX000' "$work/replay.out"
    else
        core_xx=$((core_xx + 1))
    fi
done
[ "$ext_xx" -eq 0 ] || fail "sqlsmith: $ext_xx XX000 errors raised by the extension"
echo "-- sqlsmith: $(psql -X -At -d "$db" -c 'SELECT count(*) FROM public.error') errors logged, none XX000 from the extension;" \
     "$core_xx XX000 replayed and located in PostgreSQL's sources:" \
     "$(psql -X -At -d "$db" -c "SELECT coalesce(string_agg(DISTINCT msg, '; '), 'none') FROM public.error WHERE sqlstate = 'XX000'")"

echo "SELECT 'sentinel alive';" >&"$sentinel_fd"
exec {sentinel_fd}>&-
sentinel_fd=
wait "$sentinel_pid"
grep -q 'sentinel alive' "$work/sentinel.out" || { cat "$work/sentinel.out"; fail "the sentinel session died: a backend crashed"; }
echo "fuzz: ok"
