#!/usr/bin/env bash
# The Debian 12 packages a make target needs; installs the missing ones.
#
#   tools/deps.sh demo|test|package ...
#
# Nothing missing: silent, exit 0. Missing and run as root: apt-get installs
# them (waiting up to 10 minutes for another apt/dpkg to release its lock;
# apt-get update first when the package lists are empty or stale). Missing and
# not root: prints the one command to run and exits 2 before anything starts.
# `make demo` and `make test` call it first; .ci/run too.
set -euo pipefail

# What each target needs (Debian package names).
demo_pkgs="make g++ postgresql-common postgresql-15 postgresql-server-dev-15"
# (python3 and sqlsmith: the fuzz suite, test/fuzz/.)
test_pkgs="$demo_pkgs cmake pkg-config libpqxx-dev libgtest-dev googletest postgresql-contrib postgresql-15-cron python3 sqlsmith"
# dpkg-buildpackage and pg_buildext (debian/control's Build-Depends).
package_pkgs="$test_pkgs dpkg-dev build-essential debhelper postgresql-server-dev-all"

[ $# -gt 0 ] || { echo "usage: $0 demo|test|package ..." >&2; exit 64; }
wanted=()
for target in "$@"; do
    case $target in
        demo) wanted+=($demo_pkgs) ;;
        test) wanted+=($test_pkgs) ;;
        package) wanted+=($package_pkgs) ;;
        *) echo "$0: unknown target '$target' (demo, test, package)" >&2; exit 64 ;;
    esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "paperclip_locks: this needs Debian 12 (no dpkg-query here); install: ${wanted[*]}" >&2
    exit 2
fi

missing=()
for p in $(printf '%s\n' "${wanted[@]}" | awk '!seen[$0]++'); do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [ "${status:0:2}" = ii ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    {
        echo "paperclip_locks: missing Debian packages: ${missing[*]}"
        echo "run this once (as root), then the same make command again:"
        echo "    sudo $cmd"
    } >&2
    exit 2
fi

echo "paperclip_locks: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -o DPkg::Lock::Timeout=600 -q "$@" </dev/null; }
if ! apt_get install -y --no-install-recommends "${missing[@]}"; then
    # Empty or stale package lists (a fresh image): update, then once more.
    for attempt in 1 2 3; do
        apt_get update && break
        echo "apt-get update failed (attempt $attempt), retrying in 20 s" >&2
        sleep 20
    done
    apt_get install -y --no-install-recommends "${missing[@]}"
fi
