#!/bin/sh
# conformance.sh: every built-in implementation over configs/conformance.ini and
# configs/conformance-cross.ini must PASS every case. An implementation that `list` reports
# unavailable on this machine (avx2 on a CPU without AVX2) may only SKIP, with its reason.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/build/attnbench"
tmp=$(mktemp -d /tmp/attnbench-conf.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1
failed=0

unavailable=$("$bin" list | awk 'NR > 1 && $4 == "no" { print $1 }')
for config in conformance conformance-cross; do
    "$bin" run --config "configs/$config.ini" --out "$tmp/$config" > "$tmp/$config.log" 2>&1
    rc=$?
    csv="$tmp/$config/results.csv"
    planned=$(sed -n 's/.*"cases_planned": \([0-9]*\).*/\1/p' "$tmp/$config/results.json")
    rows=$(($(wc -l < "$csv") - 1))
    # impl,...,status (column 11); a SKIP is allowed only for an unavailable implementation.
    wrong=$(awk -F, -v skip=" $unavailable " 'NR > 1 && $11 != "PASS" &&
                !($11 == "SKIP" && index(skip, " " $1 " ") > 0)' "$csv")
    if [ -n "$wrong" ] || [ "$rows" -ne "$planned" ] || [ "$rows" -lt 1000 ] ||
        { [ -z "$unavailable" ] && [ $rc -ne 0 ]; }; then
        failed=1
        echo "FAILED: $config.ini (exit $rc, $rows of $planned rows); not PASS:"
        echo "$wrong" | head -20
    else
        echo "ok: $config.ini: $rows cases, $(grep -c ',PASS,' "$csv") PASS" \
            "(per implementation: $(awk -F, 'NR > 1 { n[$1]++ } END { for (i in n) printf "%s %d ", i, n[i] }' "$csv"))"
    fi
done
exit $failed
