#!/bin/sh
# conformance.sh: every implementation over configs/conformance.ini,
# configs/conformance-cross.ini, configs/conformance-dtypes.ini, the split-KV shapes of
# configs/conformance-split.ini, the masks and variants of configs/conformance-masks.ini
# and conformance-scores.ini, and the float32 MHA decode of conformance-decode.ini must PASS
# every case: the
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

# Where avx512 cannot run, its code runs anyway: built on SIMDe's portable intrinsics as the
# plugin avx512-emulated (the Makefile builds it), in the same runs as the built-ins, so that
# it shares their references (docs/implementations.md#avx2-and-avx512-run-only-where-they-can).
emulated=""
avx512_impl=""
if [ -z "${PLUGIN:-}" ] && ! echo " $unavailable " | tr '\n' ' ' | grep -q " avx512 "; then
    avx512_impl=avx512
    echo "conformance: avx512 runs natively here"
elif [ -z "${PLUGIN:-}" ]; then
    avx512_impl=avx512-emulated
    emulated="$bdir/tests/avx512_emulated.so"
    [ -f "$emulated" ] || { echo "conformance.sh: $emulated: no such file (make it first)" >&2; exit 2; }
    plugin_args="--plugin $emulated"
    echo "conformance: avx512 cannot run here ($("$bin" list | awk '$1 == "avx512" { getline; sub(/^ *why not: /, ""); print }')): its code runs on SIMDe beside the built-ins, as avx512-emulated"
fi

# Shards run at once: the CPUs this process may use, at most 4. The machine's peaks (for the
# faster-than-peak check) are measured first, alone, into the scratch cache every shard reads:
# measured beside a busy shard they would come out low, and honest cases would pass them.
shards=$(nproc)
[ "$shards" -gt 4 ] && shards=4
"$bin" machine > "$tmp/machine.log" 2>&1 || { echo "conformance.sh: attnbench machine failed: $(tail -1 "$tmp/machine.log")" >&2; exit 2; }

for config in conformance conformance-cross conformance-dtypes conformance-masks conformance-split \
    conformance-scores conformance-decode; do
    # One shard per CPU, side by side (the cases are correctness checks, not timings), merged
    # into one results directory; rc is the worst shard's.
    rc=0
    pids=""
    for i in $(seq 0 $((shards - 1))); do
        # shellcheck disable=SC2086
        "$bin" run --config "configs/$config.ini" $plugin_args --set impls="$impls" \
            --shard "$i/$shards" --out "$tmp/$config.$i" > "$tmp/$config.$i.log" 2>&1 &
        pids="$pids $!"
    done
    for pid in $pids; do
        wait "$pid" || { r=$?; [ $r -gt $rc ] && rc=$r; }
    done
    "$bin" merge "$tmp/$config" $(seq -f "$tmp/$config.%g" 0 $((shards - 1))) \
        > "$tmp/$config.log" 2>&1
    csv="$tmp/$config/results.csv"
    if [ ! -f "$csv" ]; then
        bad "$config.ini: no results (exit $rc): $(tail -q -n 1 "$tmp/$config".*log | paste -sd' ' -)"
        continue
    fi
    planned=$(sed -n 's/.*"cases_planned": \([0-9]*\).*/\1/p' "$tmp/$config/results.json" | head -1)
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
    # The unavailable implementations this config ran (none, for a plugin's run).
    unav_here=$(for i in $unavailable; do
        awk -F, -v c="$im" -v n="$i" 'NR > 1 && $c == n { print n; exit }' "$csv"; done | paste -sd, -)
    least=500
    [ -n "${PLUGIN:-}" ] && least=100
    if [ -n "$wrong" ] || [ "$rows" -ne "$planned" ] || [ "$rows" -lt "$least" ] ||
        { [ -z "$unavailable" ] && [ $rc -ne 0 ]; }; then
        bad "$config.ini (exit $rc, $rows of $planned rows); not PASS:"
        echo "$wrong" | head -20
    else
        ok "$config.ini: $rows cases, $(awk -F, -v s="$st" 'NR > 1 && $s == "PASS"' "$csv" | wc -l) PASS, $(awk -F, -v s="$st" 'NR > 1 && $s == "SKIP"' "$csv" | wc -l) SKIP (per implementation: $(awk -F, -v i="$im" 'NR > 1 { n[$i]++ } END { for (k in n) printf "%s %d ", k, n[k] }' "$csv"))${no_dtype:+; unsupported on this CPU, so SKIP there: $no_dtype}${unav_here:+; unavailable here, so SKIP: $unav_here}"
    fi
done

# avx512 dots bf16 as it lies where AVX512_BF16 is there (and always on SIMDe, which has
# vdpbf16ps); hide it, and bf16 goes the widening path of a CPU without AVX512_BF16.
if [ -n "$avx512_impl" ]; then
    # shellcheck disable=SC2086
    ATTNBENCH_CPU_MASK=avx512_bf16 "$bin" run --config configs/conformance-dtypes.ini \
        $plugin_args --set impls="$avx512_impl" --set dtype=bf16 \
        --out "$tmp/widened" > "$tmp/widened.log" 2>&1
    check "$avx512_impl, bf16 widened (ATTNBENCH_CPU_MASK=avx512_bf16): every case PASS" \
        "[ $? -eq 0 ] && grep -q '^[0-9]* cases in .*: [0-9]* PASS\$' $tmp/widened.log"
fi
finish
