#!/usr/bin/env bash
# Copies test/isolation/preamble.spec into every specs/*.spec, between the
# "---- shared preamble" and "---- end of shared preamble ----" lines.
set -eu
cd "$(dirname "$0")/../.."
for spec in specs/*.spec; do
    awk -v pre=test/isolation/preamble.spec '
        /^# ---- shared preamble/ { while ((getline line < pre) > 0) print line; close(pre); skip = 1; next }
        /^# ---- end of shared preamble ----/ { skip = 0; next }
        !skip { print }
    ' "$spec" >"$spec.tmp"
    mv "$spec.tmp" "$spec"
done
