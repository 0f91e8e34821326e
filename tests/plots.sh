#!/bin/sh
# plots.sh: `attnbench plots` end to end on a committed fixture (a small counters = sim run):
# every figure a valid PNG and SVG, gnuplot silent, index.html showing them all; bad input; the
# roofline's compute ceiling per measured ISA.
set -eu
test_name=plots.sh
# shellcheck source=tests/test_lib.sh
. "$(dirname "$0")/test_lib.sh"
fixture="$root/tests/fixtures/plots/results.json"

# Runs `attnbench plots ARGS...` from the repository root (where ./scripts is); rc, out, err.
plots() {
    rc=0
    (cd "$root" && "$bin" plots "$@") > "$tmp/out.txt" 2> "$tmp/err.txt" || rc=$?
}

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }

# 1. The fixture: every figure kind has data (simulated counters, 2 thread counts, 2 masks).
mkdir "$tmp/run"
cp "$fixture" "$tmp/run/results.json"
plots "$tmp/run"
check "plots exits 0" "[ $rc -eq 0 ]"
check "gnuplot and plots said nothing on stderr" "[ ! -s '$tmp/err.txt' ]"
for f in time gflops roofline cache-sim-d1-misses cache-sim-ll-misses memory accuracy \
         tolerance scaling; do
    png="$tmp/run/plots/$f.png"
    check "$f.png is a PNG" "[ -f '$png' ] && is_png '$png'"
    check "$f.svg is an SVG" "grep -q '<svg' '$tmp/run/plots/$f.svg'"
    check "index.html shows $f" "grep -q 'src=\"plots/$f.png\"' '$tmp/run/index.html' &&
        grep -q 'href=\"plots/$f.svg\"' '$tmp/run/index.html'"
done
pngs=$(ls "$tmp/run/plots" | grep -c '\.png$')
check "nine figures, no more ($pngs)" "[ $pngs -eq 9 ]"
cases=$(grep -c '"repro":' "$fixture")
rows=$(grep -c '^<tr><td>' "$tmp/run/index.html")
check "index.html: results table with a row per case ($rows of $cases)" \
    "grep -q '<table id=\"results-table\" class=\"sortable\">' '$tmp/run/index.html' &&
     [ $rows -eq $cases ]"
check "index.html: run metadata" "grep -q '<th>git commit</th>' '$tmp/run/index.html'"
check "summary line" "grep -q '^plots: 9 figures' '$tmp/out.txt'"

# 2. Strings from the JSON reach gnuplot quoted and the page escaped: a quote and markup in
# dist (every subtitle) and in a reason (the table).
mkdir "$tmp/odd"
sed -e 's/"dist": "normal"/"dist": "it'"'"'s <b>\&amp;"/' \
    -e '0,/"reason": ""/s//"reason": "<script>alert(1)<\/script>"/' "$fixture" \
    > "$tmp/odd/results.json"
plots "$tmp/odd"
check "odd strings: exit 0, nothing on stderr" "[ $rc -eq 0 ] && [ ! -s '$tmp/err.txt' ]"
check "odd strings: escaped in index.html" \
    "grep -q 'it&#39;s &lt;b&gt;&amp;amp; inputs' '$tmp/odd/index.html' &&
     ! grep -q '<script>alert' '$tmp/odd/index.html'"
svg_want="warm cache, f32 data, it's &lt;b>&amp;amp; inputs"
check "odd strings: the subtitle reached the SVG whole" \
    "grep -qF \"\$svg_want\" '$tmp/odd/plots/time.svg'"

# 3. A gnuplot error fails the command (exit 1), naming the script and gnuplot's words.
cp -r "$root/scripts" "$tmp/scripts"
echo "plot no_such_function(x)" >> "$tmp/scripts/plot-time.gp"
mkdir "$tmp/broken"
cp "$fixture" "$tmp/broken/results.json"
plots "$tmp/broken" --scripts "$tmp/scripts"
check "gnuplot error: exit 1" "[ $rc -eq 1 ]"
check "gnuplot error: names the script and the error" \
    "grep -q 'plot-time.gp.*no_such_function' '$tmp/err.txt'"

# 4. Bad input: exit 2, one line, nothing written.
# plots from the repository root (where ./scripts is), as plots() runs it.
in_root() { (cd "$root" && "$@"); }
mkdir "$tmp/empty"
expect_refusal "no results.json" "results.json: No such file" in_root "$bin" plots "$tmp/empty"
check "no results.json: nothing written" "[ -z \"\$(ls -A '$tmp/empty')\" ]"
expect_refusal "not a directory" "not a results directory" in_root "$bin" plots "$tmp/nonexistent"
printf '{"format": "attnbench-results", "format_version": 1, "run": {}, "cases": [1]}' \
    > "$tmp/empty/results.json"
expect_refusal "malformed case" "case 1" in_root "$bin" plots "$tmp/empty"
check "malformed case: nothing written" \
    "[ ! -e '$tmp/empty/plots' ] && [ ! -e '$tmp/empty/index.html' ]"
expect_refusal "no directory given" "which results directory" in_root "$bin" plots
expect_refusal "unknown option" "unknown option '--bogus'" in_root "$bin" plots "$tmp/run" --bogus
expect_refusal "scripts not found" "no gnuplot scripts" in_root "$bin" plots "$tmp/run" --scripts "$tmp/empty"

# 5. The roofline draws a compute ceiling per ISA with a measured peak: the fixture's per-core
# peaks are an AVX-512 machine's with two FMA units (scalar 10, avx2_fma 84, avx512 170 GFLOP/s;
# twice that on 2 threads). Panel 1 is 1 thread, so pceil[1..3] are its ceilings, [4..6] 2's.
isas_fixture="$root/tests/fixtures/roofline-isas/results.json"
roofline() {   # dir, results.json: draws it; gp, svg name what it wrote
    mkdir "$1"
    cp "$2" "$1/results.json"
    plots "$1"
    gp="$1/plots/data/roofline.gp"
    svg="$1/plots/roofline.svg"
}
roofline "$tmp/isas" "$isas_fixture"
check "per-ISA peaks: exit 0, nothing on stderr" "[ $rc -eq 0 ] && [ ! -s '$tmp/err.txt' ]"
check "per-ISA peaks: roofline.png is a PNG" "is_png '$tmp/isas/plots/roofline.png'"
check "per-ISA peaks: three ceilings named" "grep -qx 'nceil = 3' '$gp' &&
    grep -qx \"ceilisa\\[1\\] = 'scalar'\" '$gp' &&
    grep -qx \"ceilisa\\[2\\] = 'avx2_fma'\" '$gp' &&
    grep -qx \"ceilisa\\[3\\] = 'avx512'\" '$gp'"
want=$(printf 'pceil[%s] = %s\n' 1 10 2 84 3 170 4 20 5 168 6 340)
got=$(grep '^pceil\[' "$gp" || true)
check "per-ISA peaks: a ceiling per ISA and panel ($(echo "$got" | paste -sd " "))" \
    "[ \"\$got\" = \"\$want\" ]"
check "per-ISA peaks: values in the panel titles, styles in the legend" \
    "grep -q 'scalar 10, avx2_fma 84, avx512 170 GFLOP/s; triad 21.0 GB/s' '$svg' &&
     grep -q 'scalar 20, avx2_fma 168, avx512 340 GFLOP/s; triad 41.3 GB/s' '$svg' &&
     grep -q '>avx2_fma peak<' '$svg' && grep -q '>avx512 peak<' '$svg'"

# A CPU without AVX-512: peaks_json lists it under isa_unavailable, not fma_gflops. No ceiling.
mkdir "$tmp/no512src"
sed -e '/"avx512": \[170/d' -e 's/"avx2_fma": \[84.0, 168.0\],/"avx2_fma": [84.0, 168.0]/' \
    -e 's/"isa_unavailable": {}/"isa_unavailable": {"avx512": "the CPU has no AVX-512F"}/' \
    -e 's/"peak_gflops": \[170.0, 340.0\]/"peak_gflops": [84.0, 168.0]/' "$isas_fixture" \
    > "$tmp/no512src/results.json"
roofline "$tmp/no512" "$tmp/no512src/results.json"
check "no avx512 peak: exit 0, nothing on stderr" "[ $rc -eq 0 ] && [ ! -s '$tmp/err.txt' ]"
check "no avx512 peak: roofline.png is a PNG" "is_png '$tmp/no512/plots/roofline.png'"
want=$(printf 'pceil[%s] = %s\n' 1 10 2 84 3 20 4 168)
got=$(grep '^pceil\[' "$gp" || true)
check "no avx512 peak: two ceilings ($(echo "$got" | paste -sd " "))" \
    "grep -qx 'nceil = 2' '$gp' && [ \"\$got\" = \"\$want\" ] && ! grep -q avx512 '$gp' &&
     ! grep -q 'avx512' '$svg'"

# Peaks without per-ISA values (peak_gflops only): the one ceiling, min(peak, triad x AI).
mkdir "$tmp/bestsrc"
sed '/"fma_gflops": {/,/^   },$/d' "$isas_fixture" > "$tmp/bestsrc/results.json"
roofline "$tmp/best" "$tmp/bestsrc/results.json"
check "best peak only: exit 0, nothing on stderr" "[ $rc -eq 0 ] && [ ! -s '$tmp/err.txt' ]"
check "best peak only: roofline.png is a PNG" "is_png '$tmp/best/plots/roofline.png'"
check "best peak only: one ceiling, as before" \
    "grep -qx 'nceil = 0' '$gp' && ! grep -q '^pceil' '$gp' &&
     grep -qx 'ppeak\\[1\\] = 170' '$gp' &&
     grep -q 'peak 170 GFLOP/s, triad 21.0 GB/s' '$svg' && grep -q '>ceilings<' '$svg'"

# 6. compare's ratio chart: the fixture against itself, every bar at 1.
rc=0
(cd "$root" && "$bin" compare "$tmp/run" "$tmp/run" --plot "$tmp/cmp") > "$tmp/cmp.txt" 2>&1 || rc=$?
check "compare --plot exits 0" "[ $rc -eq 0 ]"
check "compare.png is a PNG" "is_png '$tmp/cmp/compare.png'"
check "compare.svg is an SVG" "grep -q '<svg' '$tmp/cmp/compare.svg'"

finish
