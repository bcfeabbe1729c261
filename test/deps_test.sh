#!/usr/bin/env bash
# tools/deps.sh against stub dpkg-query, id and apt-get (first on PATH): what
# `make demo` / `make test` do on a machine missing packages, as root and not.
# Prints one line per case and "deps: ok" when every case passed.
set -u
cd "$(dirname "$0")/.."
deps=$PWD/tools/deps.sh
stubs=$(mktemp -d)
trap 'rm -rf "$stubs"' EXIT
bad=0

cat >"$stubs/dpkg-query" <<'EOF'
#!/bin/sh
# -W -f=FORMAT PACKAGE: "ii " unless PACKAGE is listed in $STUB_MISSING.
for last in "$@"; do :; done
for p in $STUB_MISSING; do [ "$p" = "$last" ] && { printf 'un '; exit 0; }; done
printf 'ii '
EOF
cat >"$stubs/id" <<'EOF'
#!/bin/sh
echo "${STUB_UID:-0}"
EOF
cat >"$stubs/apt-get" <<'EOF'
#!/bin/sh
echo "apt-get $*" >>"$STUB_LOG"
case " $* " in
    *" update "*) touch "$STUB_LOG.updated"; exit 0 ;;
    *" install "*) [ -n "${STUB_STALE:-}" ] && [ ! -e "$STUB_LOG.updated" ] && exit 100; exit 0 ;;
esac
exit 1
EOF
chmod +x "$stubs"/*

run() {  # name expected_rc target -- env assignments...
    local name=$1 want=$2 target=$3
    shift 3
    rm -f "$stubs/log" "$stubs/log.updated"
    touch "$stubs/log"
    env PATH="$stubs:$PATH" STUB_LOG="$stubs/log" "$@" "$deps" "$target" >"$stubs/out" 2>&1
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL $name: exit $rc, expected $want"; sed 's/^/    /' "$stubs/out"; bad=$((bad + 1)); return 1
    fi
    return 0
}
check() {  # name condition-description command...
    local name=$1 what=$2
    shift 2
    if "$@"; then echo "ok   $name: $what"; else
        echo "FAIL $name: $what"; sed 's/^/    out: /' "$stubs/out"; sed 's/^/    log: /' "$stubs/log"
        bad=$((bad + 1))
    fi
}

run all-installed 0 test STUB_MISSING= STUB_UID=1000 &&
    check all-installed "nothing printed, apt-get not run" test ! -s "$stubs/out" -a ! -s "$stubs/log"

run missing-not-root 2 test STUB_MISSING="libpqxx-dev cmake" STUB_UID=1000 &&
    check missing-not-root "names the one command, installs nothing" \
        sh -c 'grep -qx "    sudo apt-get install -y --no-install-recommends cmake libpqxx-dev" "$1" && [ ! -s "$2" ]' \
        _ "$stubs/out" "$stubs/log"

run missing-root 0 test STUB_MISSING="libpqxx-dev" STUB_UID=0 &&
    check missing-root "apt-get waits for the dpkg lock and installs only the missing package" \
        grep -qx 'apt-get -o DPkg::Lock::Timeout=600 -q install -y --no-install-recommends libpqxx-dev' "$stubs/log"

run empty-lists-root 0 test STUB_MISSING="googletest" STUB_UID=0 STUB_STALE=1 &&
    check empty-lists-root "install fails on empty lists: update, then install again" \
        sh -c '[ "$(awk "{for (i = 1; i <= NF; i++) if (\$i == \"install\" || \$i == \"update\") { printf \"%s \", \$i; break }}" "$1")" = "install update install " ]' \
        _ "$stubs/log"

run demo-needs-less 0 demo STUB_MISSING="cmake libgtest-dev postgresql-15-cron" STUB_UID=1000 &&
    check demo-needs-less "make demo does not need the test-only packages" test ! -s "$stubs/log"

run demo-needs-server 2 demo STUB_MISSING="postgresql-server-dev-15" STUB_UID=1000 &&
    check demo-needs-server "make demo needs the server headers (PGXS)" \
        grep -q 'sudo apt-get install -y --no-install-recommends postgresql-server-dev-15$' "$stubs/out"

run package-needs-debhelper 2 package STUB_MISSING="debhelper postgresql-server-dev-all" STUB_UID=1000 &&
    check package-needs-debhelper "the package build names debhelper and pg_buildext's package" \
        grep -q 'install -y --no-install-recommends debhelper postgresql-server-dev-all$' "$stubs/out"

run unknown-target 64 bogus STUB_UID=0 && check unknown-target "refused with usage" grep -q "unknown target" "$stubs/out"

[ "$bad" -eq 0 ] && echo "deps: ok" || { echo "deps: $bad case(s) failed"; exit 1; }
