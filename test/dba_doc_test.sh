#!/usr/bin/env bash
# docs/dba.md's SQL, run as written: every ```sql block not preceded by a
# "<!-- not run" comment, in document order, in one database (dba_doc) of a
# throwaway cluster of its own (the blocks create and drop cluster-wide roles).
# After the install block it loads a fixture: a company, an agent, a live run
# holding the runbook's issue, and a run in a status the runbook then declares
# terminal, holding two more. Then it checks what the blocks printed: the
# runbook released the issue and audited it, the queries saw the locks, the
# sweep cleared the stale ones, the uninstall left nothing behind.
# Prints "dba_doc: ok".
set -euo pipefail
cd "$(dirname "$0")/.."
. test/stage.sh  # sets STAGE
PKGLIBDIR=$(pg_config --pkglibdir)
if [ -z "${DBA_DOC_INSIDE:-}" ]; then
    if [ ! -f "$STAGE/usr/share/postgresql/15/extension/paperclip_locks.control" ]; then
        make -s -j2 && make -s install DESTDIR="$STAGE" >/dev/null
    fi
    exec env DBA_DOC_INSIDE=1 pg_virtualenv -t -v 15 \
        -o "extension_destdir=$STAGE" -o "dynamic_library_path=$STAGE$PKGLIBDIR:$PKGLIBDIR" "$0"
fi

fail() { echo "dba_doc: $*"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ISSUE=000000d0-0000-4000-8000-000000000101

# The runnable blocks, one file each: block-01.sql, block-02.sql, ...
perl -e '
    my ($dir) = @ARGV; my ($n, $in, $skip, $prev) = (0, 0, 0, "");
    open my $md, "<", "docs/dba.md" or die $!;
    while (my $line = <$md>) {
        if (!$in && $line =~ /^```sql\s*$/) {
            $in = 1; $skip = $prev =~ /^<!-- not run/;
            if (!$skip) { $n++; open OUT, ">", sprintf("%s/block-%02d.sql", $dir, $n) or die $! }
        } elsif ($in && $line =~ /^```\s*$/) {
            $in = 0; close OUT unless $skip;
        } elsif ($in) {
            print OUT $line unless $skip;
        }
        $prev = $line if $line =~ /\S/;
    }
    print "$n\n";
' "$work" >"$work/count"
n=$(cat "$work/count")
[ "$n" -ge 15 ] || fail "only $n runnable SQL blocks found in docs/dba.md"

createdb dba_doc
fixture() {
    psql -X -q -v ON_ERROR_STOP=1 -d dba_doc -o /dev/null <<SQL
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES ('000000d0-0000-4000-8000-0000000000c1', 'Docs Co', 'DOC');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    ('000000d0-0000-4000-8000-0000000000a1', '000000d0-0000-4000-8000-0000000000c1', 'Alpha');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    ('000000d0-0000-4000-8000-000000000001', '000000d0-0000-4000-8000-0000000000c1', '000000d0-0000-4000-8000-0000000000a1', 'running'),
    ('000000d0-0000-4000-8000-000000000002', '000000d0-0000-4000-8000-0000000000c1', '000000d0-0000-4000-8000-0000000000a1', 'adapter_failed');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    ('$ISSUE', '000000d0-0000-4000-8000-0000000000c1', 'stuck', 'todo'),
    ('000000d0-0000-4000-8000-000000000102', '000000d0-0000-4000-8000-0000000000c1', 'two', 'todo'),
    ('000000d0-0000-4000-8000-000000000103', '000000d0-0000-4000-8000-0000000000c1', 'three', 'todo');
BEGIN;
SELECT paperclip.set_actor_agent('000000d0-0000-4000-8000-0000000000a1', '000000d0-0000-4000-8000-000000000001');
SELECT paperclip.checkout('$ISSUE', '000000d0-0000-4000-8000-0000000000a1', '{todo}', '000000d0-0000-4000-8000-000000000001');
COMMIT;
-- Issues two and three: held by the adapter_failed run (set by the operator).
UPDATE paperclip.issues SET status = 'in_progress', assignee_agent_id = '000000d0-0000-4000-8000-0000000000a1',
    checkout_run_id = '000000d0-0000-4000-8000-000000000002', execution_run_id = '000000d0-0000-4000-8000-000000000002'
WHERE id IN ('000000d0-0000-4000-8000-000000000102', '000000d0-0000-4000-8000-000000000103');
SQL
}

for i in $(seq -w 1 "$n"); do
    f=$work/block-$(printf '%02d' "$((10#$i))").sql
    if ! psql -X -A -v ON_ERROR_STOP=1 -v issue="$ISSUE" -d dba_doc -f "$f" >"${f%.sql}.out" 2>&1; then
        echo "--- docs/dba.md block $i:"; cat "$f"; echo "--- output:"; cat "${f%.sql}.out"
        fail "block $i failed"
    fi
    if grep -q '^CREATE EXTENSION paperclip_locks;' "$f"; then fixture; fi
done
echo "ran $n SQL blocks of docs/dba.md"

out_of() {  # a line of the block -> that block's output
    local f
    f=$(grep -lF -- "$1" "$work"/block-*.sql | head -1)
    [ -n "$f" ] || fail "no block contains: $1"
    cat "${f%.sql}.out"
}
check() { if "$@"; then :; else fail "check failed: $*"; fi; }
# Step 1 of the runbook saw the live lock.
out_of "WHERE issue_id = :'issue';" | grep -q "^$ISSUE|in_progress|.*|f$" || fail "the runbook's step 1 did not show the live lock"
out_of "WHERE entity_type = 'issue' AND entity_id = :'issue'" | grep -q 'issue.checked_out' ||
    fail "the history did not show the checkout"
out_of "SET status = 'failed', error = 'marked failed" | grep -qx 'UPDATE 1' || fail "marking the run failed updated no row"
out_of "WHERE entity_id = :'issue' AND action = 'issue.admin_force_release'" | grep -q 'harness crashed, ticket OPS-123' ||
    fail "no force-release audit row"
out_of "AS still_locked" | grep -A1 '^still_locked$' | tail -1 | grep -qx 0 || fail "the issue is still locked after the runbook"
out_of "count(*) FILTER (WHERE l.stale) AS stale" | grep -q '^Docs Co|in_progress|2|2$' ||
    fail "lock counts did not show the two stale locks"
out_of "ORDER BY locked_for DESC
LIMIT 50;" | grep -c '|adapter_failed|' | grep -qx 2 || fail "the stale-lock query did not list both"
out_of "GROUP BY 1, 2" | grep -q '|issue.admin_force_release|1$' || fail "audit by hour misses the force-release"
out_of "AND created_at > now() - interval '7 days'" | grep -q 'harness crashed, ticket OPS-123|f$' ||
    fail "who-force-released misses the row"
out_of "CALL paperclip.sweep_all_stale_locks(1000);" | grep -A1 '^cleared$' | tail -1 | grep -qx 2 ||
    fail "the sweep did not clear the two stale locks"
out_of "FROM pg_extension_update_paths('paperclip_locks')" | grep -q '^1.0|1.1|1.0--1.1$' ||
    fail "no 1.0 -> 1.1 update path"
# The uninstall left no schema and no roles.
left=$(psql -X -At -d dba_doc -c "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'paperclip')
                                          + (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'paperclip%')")
[ "$left" = 0 ] || fail "left after the uninstall: $(psql -X -At -d dba_doc -c "SELECT string_agg(nspname, ' ') FROM pg_namespace WHERE nspname = 'paperclip' UNION ALL SELECT string_agg(rolname, ' ') FROM pg_roles WHERE rolname LIKE 'paperclip%'")"
echo "runbook released and audited the issue; queries saw the locks; the sweep cleared 2; uninstall left nothing"
echo "dba_doc: ok"
