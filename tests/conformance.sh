#!/bin/sh
# conformance.sh: every implementation over configs/conformance.ini,
# configs/conformance-cross.ini, configs/conformance-dtypes.ini, the split-KV shapes of
# configs/conformance-split.ini and the masks and variants of configs/conformance-masks.ini
# and conformance-scores.ini must PASS every case: the
# built-ins (`impls = all`), or with PLUGIN=path.so (make conformance PLUGIN=...) that plugin's
# implementations alone. One that `list` reports unavailable on this machine (avx2 on a CPU
# without AVX2) may only SKIP, with its reason; a plugin may also SKIP the cases its caps say
# it does not handle. In the configs with 16-bit dtypes an implementation whose prepare says
# a 16-bit dtype is unsupported on this CPU (ATTN_UNSUPPORTED: oneDNN 2.6 has no bf16 matmul below
# AVX-512) SKIPs those cases with its reason, and the line names it: a gap of this machine's,
# shown, not hidden.
set -u
test_name=conformance
# shellcheck source=tests/test_lib.sh
. "$(dirname "$0")/test_lib.sh"
cd "$root" || exit 1

plugin_args=""
impls=all
if [ -n "${PLUGIN:-}" ]; then
    [ -f "$PLUGIN" ] || { echo "conformance.sh: PLUGIN=$PLUGIN: no such file" >&2; exit 2; }
    plugin_args="--plugin $PLUGIN"
    # The plugin's implementations: the lines of `list` whose origin is "plugin".
    # shellcheck disable=SC2086
    impls=$("$bin" list $plugin_args | awk 'NR > 1 && $2 == "plugin" { print $1 }' | paste -sd, -)
    [ -n "$impls" ] || { echo "conformance.sh: $PLUGIN adds no implementation" >&2; exit 2; }
fi
# shellcheck disable=SC2086
unavailable=$("$bin" list $plugin_args | awk 'NR > 1 && $4 == "no" { print $1 }')

for config in conformance conformance-cross conformance-dtypes conformance-masks conformance-split \
    conformance-scores; do
    # shellcheck disable=SC2086
    "$bin" run --config "configs/$config.ini" $plugin_args --set impls="$impls" \
        --out "$tmp/$config" > "$tmp/$config.log" 2>&1
    rc=$?
    csv="$tmp/$config/results.csv"
    if [ ! -f "$csv" ]; then
        bad "$config.ini: no results (exit $rc): $(tail -1 "$tmp/$config.log")"
        continue
    fi
    planned=$(sed -n 's/.*"cases_planned": \([0-9]*\).*/\1/p' "$tmp/$config/results.json")
    rows=$(($(wc -l < "$csv") - 1))
    st=$(csv_col "$csv" status)
    im=$(csv_col "$csv" impl)
    # A SKIP is allowed only for an unavailable implementation, or a plugin's missing cap, or
    # (the configs with 16-bit dtypes) a 16-bit dtype unsupported on this CPU.
    dtypes=0
    grep -q '^dtype *=.*16' "configs/$config.ini" && dtypes=1
    wrong=$(awk -F, -v s="$st" -v i="$im" -v skip=" $unavailable " -v plugin="${PLUGIN:-}" \
                -v dtypes=$dtypes '
                NR > 1 && $s != "PASS" && !($s == "SKIP" && index(skip, " " $i " ") > 0) &&
                !($s == "SKIP" && plugin != "" && index($0, "(no ATTN_CAP_") > 0) &&
                !($s == "SKIP" && dtypes && index($0, ",unsupported here: ") > 0)' "$csv")
    no_dtype=$(awk -F, -v s="$st" -v i="$im" '$s == "SKIP" && /,unsupported here: / { print $i }' \
                   "$csv" | sort -u | paste -sd, -)
    least=500
    [ -n "${PLUGIN:-}" ] && least=100
    if [ -n "$wrong" ] || [ "$rows" -ne "$planned" ] || [ "$rows" -lt "$least" ] ||
        { [ -z "$unavailable" ] && [ $rc -ne 0 ]; }; then
        bad "$config.ini (exit $rc, $rows of $planned rows); not PASS:"
        echo "$wrong" | head -20
    else
        ok "$config.ini: $rows cases, $(awk -F, -v s="$st" 'NR > 1 && $s == "PASS"' "$csv" | wc -l) PASS, $(awk -F, -v s="$st" 'NR > 1 && $s == "SKIP"' "$csv" | wc -l) SKIP (per implementation: $(awk -F, -v i="$im" 'NR > 1 { n[$i]++ } END { for (k in n) printf "%s %d ", k, n[k] }' "$csv"))${no_dtype:+; unsupported on this CPU, so SKIP there: $no_dtype}${unavailable:+; unavailable here, so SKIP: $(echo $unavailable)}"
    fi
done
finish
