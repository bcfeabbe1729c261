#!/usr/bin/env bash
# Run by .ci/package inside `pg_virtualenv` (PG* environment) once the Debian
# package is installed: the cluster has no extension_destdir, so everything
# comes from the installed files. Creates every installed paperclip_locks*
# extension (its own database each, CASCADE for what it requires) at its
# default version, runs a checkout with the installed module, and upgrades
# paperclip_locks from 1.0. Prints "package_smoke: ok".
set -euo pipefail
fail() { echo "package_smoke: $*"; exit 1; }
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }
extdir=$(pg_config --sharedir)/extension
[ -z "$(q -d postgres -c "SHOW extension_destdir")" ] || fail "extension_destdir is set: not the installed files"

controls=$(cd "$extdir" && ls paperclip_locks*.control | sed 's/\.control$//')
[ -n "$controls" ] || fail "no paperclip_locks*.control in $extdir"
for ext in $controls; do
    db=pkg_$ext
    createdb "$db"
    q -d "$db" -q -c "CREATE EXTENSION $ext CASCADE"
    want=$(q -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = '$ext'")
    got=$(q -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = '$ext'")
    [ -n "$want" ] && [ "$want" = "$got" ] || fail "$ext created at '$got', its default version is '$want'"
    echo "CREATE EXTENSION $ext CASCADE: version $got"
done

# The installed module at work: an agent checks out an issue.
run=$(q -d pkg_paperclip_locks -q <<'SQL'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES ('000000dd-0000-4000-8000-0000000000c1', 'Pkg Co', 'PKG');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    ('000000dd-0000-4000-8000-0000000000a1', '000000dd-0000-4000-8000-0000000000c1', 'Alpha');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    ('000000dd-0000-4000-8000-000000000001', '000000dd-0000-4000-8000-0000000000c1',
     '000000dd-0000-4000-8000-0000000000a1', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    ('000000dd-0000-4000-8000-000000000101', '000000dd-0000-4000-8000-0000000000c1', 'one', 'todo');
BEGIN;
SELECT paperclip.set_actor_agent('000000dd-0000-4000-8000-0000000000a1', '000000dd-0000-4000-8000-000000000001') \g /dev/null
SELECT checkout_run_id FROM paperclip.checkout('000000dd-0000-4000-8000-000000000101',
    '000000dd-0000-4000-8000-0000000000a1', '{todo}', '000000dd-0000-4000-8000-000000000001');
COMMIT;
SQL
)
[ "$run" = 000000dd-0000-4000-8000-000000000001 ] || fail "checkout with the installed module gave '$run'"
so=$(q -d pkg_paperclip_locks -c "SELECT DISTINCT probin FROM pg_proc WHERE probin LIKE '%paperclip_locks%'")
echo "checkout works; functions load $so from $(pg_config --pkglibdir)"

# The installed upgrade path: 1.0, then ALTER EXTENSION UPDATE.
createdb pkg_upgrade
q -d pkg_upgrade -q -c "CREATE EXTENSION paperclip_locks VERSION '1.0'" -c "ALTER EXTENSION paperclip_locks UPDATE"
got=$(q -d pkg_upgrade -c "SELECT extversion FROM pg_extension WHERE extname = 'paperclip_locks'")
want=$(q -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = 'paperclip_locks'")
[ "$got" = "$want" ] || fail "1.0 updated to '$got', not '$want'"
echo "paperclip_locks 1.0 -> $got with the installed scripts"
echo "package_smoke: ok"
