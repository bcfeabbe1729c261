#!/usr/bin/env bash
# The attach-mode suite (SPEC §8): pg_regress files in test/attach/sql, each
# run in a database of its own against the server in the PG* environment
# (test/run_all.sh calls it inside its throwaway cluster). Files named
# upstream_* start from upstream Paperclip's real schema, made by its own
# migrations (@paperclipai/db, pinned, installed from npm at test time); the
# others start from an empty database. Prints pg_regress's lines ("... ok").
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/build/attach-regress
pg_regress=$(pg_config --pkglibdir)/pgxs/src/test/regress/pg_regress
rm -rf "$out" && mkdir -p "$out"

create_upstream=$root/test/upstream/create-schema.sh
[ -x "$create_upstream" ] || create_upstream=$root/test/attach/upstream_schema.sh
template=pc_attach_upstream_template
dropdb --if-exists "$template" >/dev/null 2>&1
"$create_upstream" "$template" || { echo "upstream schema ... FAILED (could not create it)"; exit 1; }

status=0
for file in test/attach/sql/*.sql; do
    test=$(basename "$file" .sql)
    db=pc_attach_$test
    dropdb --if-exists "$db" >/dev/null 2>&1
    case $test in
        upstream_*) createdb -T "$template" "$db" ;;
        *) createdb "$db" ;;
    esac
    mkdir -p "$out/$test"
    "$pg_regress" --use-existing --dbname="$db" --inputdir=test/attach --outputdir="$out/$test" \
        --bindir="$(pg_config --bindir)" "$test" || status=1
    dropdb --if-exists "$db" >/dev/null 2>&1
done
test/attach/dump_restore.sh "$template" || status=1
# The regression scenarios of SPEC §3-§7, the standalone suite's own files,
# on upstream's schema attached in strict mode.
test/attach/scenarios.sh "$template" || status=1
dropdb --if-exists "$template" >/dev/null 2>&1
[ "$status" -eq 0 ] || cat "$out"/*/regression.diffs build/attach-scenarios/*/regression.diffs 2>/dev/null | head -c 20000
exit "$status"
