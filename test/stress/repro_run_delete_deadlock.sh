#!/usr/bin/env bash
# Deterministic reproduction of the deadlock test/stress.sh found (SPEC §7: "No
# operation pair may deadlock"): deleting a run that still names an issue (a
# stale lock not yet cleared) against a function holding that issue.
#
#   session 1 (agent A, new run r2): locks the issue row, then asks
#             assert_checkout_owner -- which locks the issue's runs, r1 included
#   session 2 (agent A): DELETE its old, terminal run r1 -- the row lock on r1
#             is taken first; the ON DELETE SET NULL cascade then waits for the
#             issue row: run row first, issue row second, the reverse of §7.
#
# Without a fix one session gets 40P01. Run it against a server that has the
# extension (the PG* environment), e.g.:
#   make -s && make -s install DESTDIR=$PWD/build/stage
#   pg_virtualenv -t -v 15 -o extension_destdir=$PWD/build/stage \
#     -o dynamic_library_path=$PWD/build/stage/usr/lib/postgresql/15/lib:/usr/lib/postgresql/15/lib \
#     test/stress/repro_run_delete_deadlock.sh
# Exit status 0: no deadlock; 1: deadlock detected.
set -u
DB=paperclip_repro_deadlock
C=00000000-0000-4000-8000-0000000000c1
A=00000000-0000-4000-8000-0000000000a1
R1=00000000-0000-4000-8000-000000000001
R2=00000000-0000-4000-8000-000000000002
I=00000000-0000-4000-8000-000000000101
psql -X -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" || exit 2
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<SQL || exit 2
CREATE EXTENSION paperclip_locks;
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES ('$C', 'Repro', 'REP');
INSERT INTO paperclip.agents (id, company_id, name) VALUES ('$A', '$C', 'Alpha');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status)
    VALUES ('$R1', '$C', '$A', 'running'), ('$R2', '$C', '$A', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES ('$I', '$C', 'repro', 'todo');
BEGIN;
SELECT paperclip.set_actor_agent('$A', '$R1');
SELECT status FROM paperclip.checkout('$I', '$A', '{todo}');
COMMIT;
-- r1 dies in a way no trigger sees: its status was unknown (it held), then the
-- operator registers that status as terminal. Its lock on the issue is now stale
-- (the same state a run-terminal trigger that had to SKIP the locked row leaves).
UPDATE paperclip.heartbeat_runs SET status = 'lost' WHERE id = '$R1';
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('lost', 'repro');
SQL

out=$(mktemp -d)
psql -X -d $DB -v ON_ERROR_STOP=1 >"$out/s1" 2>&1 <<SQL &
BEGIN;
SELECT paperclip.set_actor_agent('$A', '$R2');
SELECT id FROM paperclip.issues WHERE id = '$I' FOR UPDATE;
SELECT pg_sleep(1);
SELECT checkout_run_id, adopted_from_run_id FROM paperclip.assert_checkout_owner('$I', '$A', '$R2');
COMMIT;
SQL
s1=$!
sleep 0.3
psql -X -d $DB -v ON_ERROR_STOP=1 >"$out/s2" 2>&1 <<SQL
BEGIN;
SELECT paperclip.set_actor_agent('$A', '$R2');
DELETE FROM paperclip.heartbeat_runs WHERE id = '$R1';
COMMIT;
SQL
wait $s1
echo "--- session 1 (issue row, then assert_checkout_owner)"; cat "$out/s1"
echo "--- session 2 (DELETE the old run)"; cat "$out/s2"
psql -X -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
if grep -q 'deadlock detected' "$out/s1" "$out/s2"; then
    echo "repro_run_delete_deadlock: DEADLOCK (40P01)"; rm -rf "$out"; exit 1
fi
echo "repro_run_delete_deadlock: no deadlock"; rm -rf "$out"; exit 0
