#!/usr/bin/env bash
# The cost of pinning search_path in the owner switch (issue 12, SPEC §10),
# measured as backend CPU time (user + system, from /proc/<pid>/stat), not
# wall time: the machine this ran on was shared and its wall-clock numbers
# swung by a factor of five. One backend, a throwaway cluster:
#   - 20,000 plain title UPDATEs by an agent on its own in_progress issues
#     (the issues_guard ownership gate, one owner switch each), 100 per transaction;
#   - 2,000 checkout + release cycles, 20 per transaction.
# Usage: bench/security/owner_switch_cpu.sh <stage dir> <label>
# (the stage dir holds an installed build: make install DESTDIR=<stage dir>).
STAGE=$1; LABEL=$2
PKGLIBDIR=$(pg_config --pkglibdir)
pg_virtualenv -t -v 15 -o synchronous_commit=off -o extension_destdir="$STAGE" \
    -o dynamic_library_path="$STAGE$PKGLIBDIR:$PKGLIBDIR" \
    psql -X -q -At -v label="$LABEL" -f "$(dirname "$0")/owner_switch_cpu.sql" 2>&1 | grep -E "_us=|ERROR"
