#!/bin/sh
# e2e.sh: the command line end to end: the CI sweep, plugins (a passing and a crashing one),
# bad input (exit 2, one line, nothing written), `list`, and the default results directory.
set -u
# Machine peaks are measured once, by the first run, into the scratch cache.
test_name=e2e
# shellcheck source=tests/test_lib.sh
. "$(dirname "$0")/test_lib.sh"

cd "$root" || exit 1

# 1. The CI sweep: every case PASS, one CSV row and one JSON case each.
"$bin" run --config configs/ci.ini --out "$tmp/ci" > "$tmp/ci.log" 2>&1
check "ci.ini exits 0" "[ $? -eq 0 ]"
rows=$(($(wc -l < "$tmp/ci/results.csv") - 1))
check "ci.ini wrote rows ($rows)" "[ $rows -gt 100 ]"
check "ci.ini: every row PASS" "[ \"\$(column $tmp/ci/results.csv status | sort -u)\" = PASS ]"
check "ci.ini: results.json has every case" \
    "[ \$(grep -c '\"repro\":' $tmp/ci/results.json) -eq $rows ]"
check "ci.ini: summary line" "grep -q \"^$rows cases in .*: $rows PASS\" $tmp/ci.log"

# 2. Plugins: the example passes, the crasher crashes, the run finishes with every row.
"$bin" run --plugin build/plugins/example.so --plugin build/tests/crash_plugin.so \
    --set impls=naive,example_rowwise,crasher --set seq_len=7,64 --set head_dim=40 \
    --set heads=4 --set kv_heads=2 --set causal=false,true --out "$tmp/plug" > "$tmp/plug.log" 2>&1
check "plugin run exits 1 (a crash is a failure)" "[ $? -eq 1 ]"
check "plugin run: 12 rows" "[ \$(wc -l < $tmp/plug/results.csv) -eq 13 ]"
check "example plugin PASS" \
    "[ \"\$(grep ^example_rowwise, $tmp/plug/results.csv | cut -d, -f\$(csv_col $tmp/plug/results.csv status) | sort -u)\" = PASS ]"
crashes=$(grep -c '^crasher,.*,CRASH,"killed by SIGSEGV' "$tmp/plug/results.csv")
check "crash plugin CRASH with the signal" "[ $crashes -eq 4 ]"
check "plugin run: results.json completed" "grep -q '\"interrupted\": false' $tmp/plug/results.json"

# 2b. Integrity: an implementation that replays its first output fails the second input set,
# one that memoizes on its inputs' contents is faster than this machine's peak; both FAIL with
# their reasons, and an honest one beside them passes. The memoizer's hash is linear in N and the
# work it skips quadratic: at N = 2048 it claims about 5 times this AMD VM's one-thread peak,
# enough margin for a Xeon core whose AVX-512 peak is twice its AVX2 one.
"$bin" run --config configs/ci.ini --plugin build/tests/integrity_plugin.so \
    --set impls=bug_replays_output,bug_memoizes,tiled --set batch=1 --set heads=4 --set kv_heads=4 \
    --set seq_q=2048 --set seq_kv=2048 --set head_dim=64 --set causal=false --set dist=normal --set threads=1 \
    --out "$tmp/integ" >"$tmp/integ.log" 2>&1
check "integrity run exits 1" "[ $? -eq 1 ]"
check "replayed output: FAIL, the inputs ignored" "grep -q '^bug_replays_output,.*,FAIL,\"run() ignores its inputs: with a second input set written over q, k and v' $tmp/integ/results.csv"
check "memoized output: FAIL, faster than the machine" "grep -q '^bug_memoizes,.*,FAIL,.*GFLOP/s is .*x this machine.s measured peak on 1 thread.*the work cannot have been done' $tmp/integ/results.csv"
check "an honest kernel beside them: PASS" "grep -q '^tiled,.*,PASS,' $tmp/integ/results.csv"
"$bin" run --config configs/ci.ini --set impls=naive --set seq_q=17 --set seq_kv=17 --set peaks=off \
    --out "$tmp/nopeaks" >"$tmp/nopeaks.log" 2>&1
check "peaks = off says the peak check is off" "grep -q '^note: peaks = off: no GFLOP/s is checked' $tmp/nopeaks.log"

# 3. Bad input: exit 2, one line naming what and where, no results directory.
printf '[sweep]\nseq_len = 8\nhead_dim = 4\nheads = 2\nbogus = 1\n' > "$tmp/bad.ini"
expect_refusal "unknown key names file:line" "bad.ini:5: unknown key 'bogus'" \
    "$bin" run --config "$tmp/bad.ini" --out "$tmp/none"
printf '[sweep]\nseq_len = 8, x\n' > "$tmp/bad2.ini"
expect_refusal "malformed value" "bad2.ini:2: \[sweep\] seq_len: 'x' is not an integer" \
    "$bin" run --config "$tmp/bad2.ini" --out "$tmp/none"
expect_refusal "--set without =" "--set heads: expected KEY=LIST" \
    "$bin" run --config configs/ci.ini --set heads --out "$tmp/none"
expect_refusal "unknown flag" "unknown option '--bogus'" "$bin" run --bogus
expect_refusal "missing value" "--out needs a value" "$bin" run --out
expect_refusal "missing config" "cannot read config" "$bin" run --config "$tmp/nope.ini" --out "$tmp/none"
expect_refusal "unknown implementation" "no implementation 'nosuch'" \
    "$bin" run --config configs/ci.ini --set impls=nosuch --out "$tmp/none"
expect_refusal "plugin without the symbol" "no symbol attn_plugin_impls" \
    "$bin" run --config configs/ci.ini --plugin build/tests/no_symbol_plugin.so --out "$tmp/none"
expect_refusal "plugin of another ABI" "speaks neither ABI this harness loads" \
    "$bin" run --config configs/ci.ini --plugin build/tests/bad_abi_plugin.so --out "$tmp/none"
expect_refusal "plugin with a duplicate name" "('naive') has a name already taken" \
    "$bin" run --config configs/ci.ini --plugin build/tests/dup_plugin.so --out "$tmp/none"
expect_refusal "no shape survives" "the sweep has no cases" \
    "$bin" run --set seq_len=8 --set head_dim=4 --set heads=4 --set kv_heads=3 --out "$tmp/none"
before=$(cksum < "$tmp/ci/results.csv")
"$bin" run --config configs/ci.ini --out "$tmp/ci" > /dev/null 2> "$tmp/err.txt"
check "an --out that holds results is refused, untouched" \
    "[ $? -eq 2 ] && grep -q 'already holds results' $tmp/err.txt && [ \"\$(cksum < $tmp/ci/results.csv)\" = \"$before\" ]"
expect_refusal "unknown command" "unknown command 'frobnicate'" "$bin" frobnicate
check "no refused run wrote its --out" "[ ! -e '$tmp/none' ]"

# 4. list shows the built-ins with caps and availability.
"$bin" list > "$tmp/list.txt"
check "list shows naive with its caps" \
    "grep -q '^naive .*causal,gqa,cross,threads,bf16,f16,window,top_left,kv_len,softcap,alibi,dv *yes' $tmp/list.txt"

# 4b. ABI 1: a plugin built against the frozen ABI 1 header loads, says so, PASSes its float32
#     cases and SKIPs the 16-bit ones (ABI 1 knew float32 only), while naive runs them all.
"$bin" list --plugin build/tests/abi1_plugin.so > "$tmp/list1.txt"
check "list: the ABI 1 plugin, marked float32 only" \
    "grep -q '^abi1 .*plugin .*causal,gqa,cross ' $tmp/list1.txt &&
     grep -q 'abi1_plugin.so (ABI 1: float32 cases only)' $tmp/list1.txt"
"$bin" run --plugin build/tests/abi1_plugin.so --set impls=abi1,naive --set seq_len=16,33 \
    --set seq_q=1,33 --set head_dim=8 --set heads=4 --set kv_heads=2 --set causal=false,true \
    --set dtype=f32,bf16,f16 --set peaks=off --out "$tmp/abi1" > /dev/null 2>&1
# impl, status and dtype of every row, one "impl status dtype" line each.
isd() {
    paste -d' ' "$tmp/abi1.impl" "$tmp/abi1.status" "$tmp/abi1.dtype" | LC_ALL=C sort |
        uniq -c | awk '{ print $2, $3, $4, $1 }'
}
column "$tmp/abi1/results.csv" impl > "$tmp/abi1.impl"
column "$tmp/abi1/results.csv" status > "$tmp/abi1.status"
column "$tmp/abi1/results.csv" dtype > "$tmp/abi1.dtype"
check "ABI 1 plugin: float32 cases PASS, bf16 and f16 SKIP; naive runs all three dtypes" \
    "[ \"\$(isd)\" = \"\$(printf 'abi1 PASS f32 8\\nabi1 SKIP bf16 8\\nabi1 SKIP f16 8\\nnaive PASS bf16 8\\nnaive PASS f16 8\\nnaive PASS f32 8')\" ] &&
     grep -q '^abi1,.*SKIP,does not take bf16 data (no ATTN_CAP_BF16)' $tmp/abi1/results.csv"

# 4c. Masks beyond causal: sliding windows and the top-left diagonal; then the variants (d_v,
#     ragged key lengths, softcap, ALiBi) under the causal mask. Every built-in but avx2 (which
#     needs AVX2) takes them all (PASS), and the key tells the cases apart.
"$bin" run --set impls=naive,tiled,openblas,onednn --set seq_q=7,33 --set seq_kv=33 \
    --set head_dim=8 --set window_left=-1,4 --set window_right=-1,3 \
    --set align=bottom_right,top_left \
    --set peaks=off --out "$tmp/win" > /dev/null 2>&1
column "$tmp/win/results.csv" impl > "$tmp/win.impl"
column "$tmp/win/results.csv" status > "$tmp/win.status"
check "masks: naive, tiled, openblas, onednn PASS every window and alignment" \
    "[ \"\$(paste -d' ' $tmp/win.impl $tmp/win.status | LC_ALL=C sort | uniq -c | awk '{ print \$2, \$3, \$1 }')\" = \"\$(printf 'naive PASS 11\\nonednn PASS 11\\nopenblas PASS 11\\ntiled PASS 11')\" ] &&
     grep -q '\"key\":\"naive b1 h1/1 q7 kv33 d8 full win4:3 top_left normal f32 t1 warm\"' $tmp/win/cases.jsonl"
"$bin" run --set impls=naive,tiled,openblas,onednn --set seq_q=7,33 --set seq_kv=33 \
    --set batch=2 --set heads=4 --set kv_heads=2 --set head_dim=8 --set causal=true \
    --set head_dim_v=8,5 --set kv_len=ragged --set softcap=0,3 --set alibi=false,true \
    --set peaks=off --out "$tmp/var" > /dev/null 2>&1
column "$tmp/var/results.csv" impl > "$tmp/var.impl"
column "$tmp/var/results.csv" status > "$tmp/var.status"
check "variants: naive, tiled, openblas, onednn PASS d_v, ragged, softcap and ALiBi" \
    "[ \"\$(paste -d' ' $tmp/var.impl $tmp/var.status | LC_ALL=C sort | uniq -c | awk '{ print \$2, \$3, \$1 }')\" = \"\$(printf 'naive PASS 16\\nonednn PASS 16\\nopenblas PASS 16\\ntiled PASS 16')\" ] &&
     grep -q '\"key\":\"onednn b2 h4/2 q7 kv33 d8 causal dv5 ragged cap3 alibi normal f32 t1 warm\"' $tmp/var/cases.jsonl &&
     grep -q '^naive,2,4,2,7,33,8,true,.*,f32,5,bottom_right,-1,0,ragged,3,true,' $tmp/var/results.csv"

# 5. Without --out: results/<config>-<time>/ and results/latest pointing at it.
mkdir -p "$tmp/home" && cd "$tmp/home" || exit 1
"$bin" run --set seq_len=8 --set head_dim=4 > /dev/null 2>&1
check "default out dir and results/latest" "[ -f results/latest/results.csv ] && ls -d results/run-* > /dev/null"
cd "$root" || exit 1

# 6. Measurement: counters (the software page-fault event counts; an event that does not exist
#    leaves an empty column and its reason), binding, a cold cache, the memory columns.
"$bin" run --set impls=naive,tiled --set seq_len=64 --set head_dim=16 --set threads=1,2 \
    --set counters=perf::PAGE-FAULTS,perf::NO_SUCH_EVENT --set counter_reps=2 --set bind=compact \
    --set cache=warm,cold --out "$tmp/meas" > "$tmp/meas.log" 2>&1
check "measured run exits 0" "[ $? -eq 0 ]"
check "one-line note names the missing event" \
    "[ \$(grep -c '^note: counters: not available here: perf::NO_SUCH_EVENT' $tmp/meas.log) -eq 1 ]"
check "page-fault counter column holds numbers" \
    "column $tmp/meas/results.csv ctr_perf__page_faults | grep -qvx '' && ! column $tmp/meas/results.csv ctr_perf__page_faults | grep -qvE '^[0-9.]+\$'"
check "missing event: empty column" \
    "[ \"\$(column $tmp/meas/results.csv ctr_perf__no_such_event | sort -u)\" = '' ]"
check "missing event: reason in results.json" \
    "grep -q '\"perf::NO_SUCH_EVENT\": \"PAPI_event_name_to_code: Event does not exist' $tmp/meas/results.json"
check "page_faults and min_footprint_bytes filled" \
    "! column $tmp/meas/results.csv page_faults | grep -qvE '^[0-9]+\$' && [ \"\$(column $tmp/meas/results.csv min_footprint_bytes | sort -u)\" = 16384 ]"
check "binding recorded per case" \
    "[ \$(grep -c '\"bound_pus\": \"0,1\"' $tmp/meas/results.json) -eq 4 ] && grep -q '\"bind\": \"compact\"' $tmp/meas/results.json"
check "warm and cold cases side by side, the eviction buffer recorded" \
    "[ \"\$(column $tmp/meas/results.csv cache | sort | uniq -c | tr -s ' ')\" = ' 4 cold
 4 warm' ] && grep -q '\"cold_cache_evict_bytes\": [1-9]' $tmp/meas/results.json"
check "topology in results.json" "grep -q '\"caches\": \\[' $tmp/meas/results.json"
check "pct_peak filled from the cached peaks" \
    "! column $tmp/meas/results.csv pct_peak | grep -qvE '^[0-9.]+\$' && ls $tmp/cache/machine-*.json > /dev/null"
"$bin" machine > "$tmp/machine.txt" 2>&1
check "machine: topology, peaks per thread count, cache" \
    "[ $? -eq 0 ] && grep -q '^topology: ' $tmp/machine.txt && grep -q '^  L1 data' $tmp/machine.txt && grep -qE '^ +1 +[0-9.]+ ' $tmp/machine.txt && grep -q 'cached for attnbench run' $tmp/machine.txt"
expect_refusal "machine takes no arguments" "unexpected argument 'x'" "$bin" machine x
expect_refusal "bad bind word" "\[measure\] bind: 'tight' is not one of none, compact, spread" \
    "$bin" run --set seq_len=8 --set head_dim=4 --set bind=tight --out "$tmp/none"
expect_refusal "two event names, one column" "would both be column ctr_perf__page_faults" \
    "$bin" run --set seq_len=8 --set head_dim=4 --set counters=perf::PAGE-FAULTS,perf::page-faults --out "$tmp/none"
expect_refusal "counters mode mixed with events" "'auto' cannot be combined" \
    "$bin" run --set seq_len=8 --set head_dim=4 --set counters=auto,PAPI_L1_DCM --out "$tmp/none"

# 6b. counters = auto in both worlds: this machine as it is, and with PAPI's perf_event
#     component switched off (a CPU whose PMU libpfm4 does not know). The software events count
#     in every case either way, and results.json names who counted them and why PAPI did not.
sources() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(" ".join(sorted({e["source"] for e in d["run"]["counters"]["events"] if e["name"].startswith("perf::")})))' "$1"; }
first_missing() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(next((e["why"] for e in d["run"]["counters"]["events"] if not e["available"]), ""))' "$1"; }
sw_columns="ctr_perf__page_faults ctr_perf__minor_faults ctr_perf__major_faults ctr_perf__context_switches ctr_perf__cpu_migrations ctr_perf__task_clock"
for w in as-is off; do
    env_w=""; [ $w = off ] && env_w="ATTNBENCH_PAPI_DISABLE=perf_event"
    env $env_w "$bin" run --set impls=naive,openblas --set seq_len=64 --set head_dim=16 --set threads=1,2 \
        --set counters=auto --out "$tmp/auto-$w" > "$tmp/auto-$w.log" 2>&1
    check "counters=auto, PAPI $w: exits 0" "[ $? -eq 0 ]"
    first_missing "$tmp/auto-$w/results.json" > "$tmp/why-$w.txt"
    case "$(cat "$tmp/why-$w.txt")" in
        *"perf_event component is disabled"*) want=perf_event_open ;;
        *) want=papi ;;
    esac
    echo "   world ($w): first event missing: $(cat "$tmp/why-$w.txt"); software events through $want"
    [ $w = off ] && check "PAPI off: the missing events name the switch" \
        "grep -qF 'Disabled by PAPI_disable_component() (ATTNBENCH_PAPI_DISABLE=perf_event)' $tmp/why-$w.txt"
    check "counters=auto, PAPI $w: software events counted by $want" "[ \"\$(sources $tmp/auto-$w/results.json)\" = $want ]"
    for c in $sw_columns; do
        check "counters=auto, PAPI $w: $c holds a number in every row" \
            "! column $tmp/auto-$w/results.csv $c | grep -qvE '^[0-9.]+\$'"
    done
    if [ -s "$tmp/why-$w.txt" ]; then
        check "counters=auto, PAPI $w: one note line, quoting PAPI's reason" \
            "[ \$(grep -c '^note: counters: ' $tmp/auto-$w.log) -eq 1 ] && grep '^note: counters: ' $tmp/auto-$w.log | grep -qF -f $tmp/why-$w.txt"
    else
        check "counters=auto, PAPI $w: every event counts, no note" "! grep -q '^note: counters: ' $tmp/auto-$w.log"
    fi
done
# 6c. OpenBLAS on its best kernels: whatever made it choose below what this CPU runs (here an
#     OPENBLAS_CORETYPE in the environment stands in for a CPU it does not know), `auto` runs it
#     on the best and says so; `library` keeps the choice and says the figures are its; a named
#     kernel set runs as asked, and one the CPU cannot run (or a masked feature) is refused.
lib() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["run"]["libraries"].get(sys.argv[2], ""))' "$@"; }
kernels() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(sorted({c.get("library_kernels", "") for c in d["cases"] if c["impl"] == "openblas"})))' "$1"; }
small="--set seq_len=64 --set head_dim=16 --set counters=none --set peaks=off"
OPENBLAS_CORETYPE=Prescott "$bin" run --set impls=openblas,naive $small --out "$tmp/ob-auto" > "$tmp/ob-auto.log" 2>&1
check "openblas auto: exits 0" "[ $? -eq 0 ]"
best=$(lib "$tmp/ob-auto/results.json" openblas_core)
echo "   world: this CPU's best OpenBLAS kernels: $best ($(grep -o 'which runs [A-Z0-9-]*' "$tmp/ob-auto.log"))"
check "openblas auto: off Prescott, onto the CPU's best (Haswell or SkylakeX)" "[ '$best' = Haswell ] || [ '$best' = SkylakeX ]"
check "openblas auto: the override recorded" \
    "lib $tmp/ob-auto/results.json openblas_override | grep -q '^$best, not Prescott: OPENBLAS_CORETYPE=$best set by attnbench'"
check "openblas auto: one note line" \
    "[ \$(grep -c '^note: openblas: OpenBLAS chose Prescott kernels (SSE) on this CPU, which runs .*: running it on $best instead' $tmp/ob-auto.log) -eq 1 ]"
check "openblas auto: each case names its kernels" "[ \"\$(kernels $tmp/ob-auto/results.json)\" = 'sgemm $best' ]"
OPENBLAS_CORETYPE=Prescott "$bin" run --set impls=openblas $small --set openblas_core=library --out "$tmp/ob-lib" > "$tmp/ob-lib.log" 2>&1
check "openblas library: keeps Prescott and says the figures are its" \
    "[ \"\$(lib $tmp/ob-lib/results.json openblas_core)\" = Prescott ] && grep -q \"^note: openblas: OpenBLAS runs its Prescott kernels (SSE, OPENBLAS_CORETYPE in the environment) on this CPU, which runs .*: the figures are Prescott's\" $tmp/ob-lib.log"
"$bin" run --set impls=openblas $small --set openblas_core=prescott --out "$tmp/ob-named" > "$tmp/ob-named.log" 2>&1
check "openblas named: runs Prescott's kernels, the repro says so" \
    "[ \"\$(kernels $tmp/ob-named/results.json)\" = 'sgemm Prescott' ] && grep -q 'repro.*--set openblas_core=prescott' $tmp/ob-named/results.json && grep -q '^note: openblas: running OpenBLAS on its Prescott kernels (SSE), as \\[measure\\] openblas_core asks' $tmp/ob-named.log"
expect_refusal "openblas_core the CPU cannot run" \
    "openblas_core = haswell: its kernels use AVX2, which this CPU cannot run (avx2 is masked by ATTNBENCH_CPU_MASK=avx2)" \
    env ATTNBENCH_CPU_MASK=avx2 "$bin" run --set impls=openblas $small --set openblas_core=haswell --out "$tmp/none"
expect_refusal "openblas_core not a kernel set" "openblas_core" \
    "$bin" run --set impls=openblas $small --set openblas_core=pentium --out "$tmp/none"
# A masked feature: the AVX2 kernel is SKIP with the mask as its reason, and `auto` judges
# OpenBLAS against the masked CPU (AVX at most): a choice of AVX or wider stays, never moved
# down; an SSE one (as 0.3.21 makes on a Xeon it does not know) goes to Sandybridge.
"$bin" run --set impls=openblas $small --set openblas_core=library --out "$tmp/ob-own" > /dev/null 2>&1
own=$(lib "$tmp/ob-own/results.json" openblas_core)
case "$own" in
    [Pp]rescott|[Cc]ore2|[Nn]ehalem) masked_want=Sandybridge ;;
    *) masked_want=$own ;;
esac
ATTNBENCH_CPU_MASK=avx2 "$bin" run --set impls=avx2,openblas $small --out "$tmp/mask" > "$tmp/mask.log" 2>&1
echo "   world: OpenBLAS's own choice here: $own; with AVX2 masked, expected: $masked_want"
check "ATTNBENCH_CPU_MASK=avx2: avx2 SKIP, masked" \
    "grep -q '^avx2,.*,SKIP,unavailable: avx2 is masked by ATTNBENCH_CPU_MASK=avx2' $tmp/mask/results.csv"
check "ATTNBENCH_CPU_MASK=avx2: OpenBLAS on $masked_want" \
    "[ \"\$(lib $tmp/mask/results.json openblas_core)\" = '$masked_want' ]"
OPENBLAS_CORETYPE=Prescott ATTNBENCH_CPU_MASK=avx2 "$bin" run --set impls=openblas $small --out "$tmp/mask-sse" > "$tmp/mask-sse.log" 2>&1
check "ATTNBENCH_CPU_MASK=avx2, OpenBLAS on SSE kernels: auto moves it to Sandybridge, and says so" \
    "[ \"\$(kernels $tmp/mask-sse/results.json)\" = 'sgemm Sandybridge' ] && grep -q '^note: openblas: OpenBLAS chose Prescott kernels (SSE) on this CPU, which runs AVX: running it on Sandybridge instead' $tmp/mask-sse.log"
expect_refusal "a PAPI component that does not exist" \
    "ATTNBENCH_PAPI_DISABLE=bogus: PAPI has no component 'bogus' to disable" \
    env ATTNBENCH_PAPI_DISABLE=bogus "$bin" run --set seq_len=8 --set head_dim=4 --out "$tmp/none"

# 7. counters = sim: the same numbers on every run, filled for every implementation, and a
#    materialising implementation missing far more than a tiled one once its scores (4 MiB at
#    N = 1024) outgrow a 1 MiB simulated last level, the size of this VM's L2.
sim_cols() { for c in ctr_sim_instructions ctr_sim_d1_misses ctr_sim_ll_misses ctr_sim_est_cycles; do
    column "$1" $c | tr '\n' ' '; done; }
for i in 1 2; do
    # avx512 is left out: valgrind cannot run AVX-512, so it never has simulated counts.
    "$bin" run --set impls=naive,tiled,avx2,openblas,onednn --set seq_len=64 --set head_dim=32 \
        --set heads=2 --set counters=sim \
        --set threads=1,2 --set min_reps=1 --set min_time_s=0 --out "$tmp/sim$i" > /dev/null 2>&1
done
check "sim: every case has all four counts" \
    "[ \$(sim_cols $tmp/sim1/results.csv | tr ' ' '\\n' | grep -cE '^[0-9]+\$') -eq 40 ]"
check "sim: two-thread cases simulated on one thread, and say so" \
    "[ \$(grep -c '\"scope\": \"one run() on 1 thread, not 2\"' $tmp/sim1/results.json) -eq 5 ]"
check "sim: two runs give the same counts" "[ \"\$(sim_cols $tmp/sim1/results.csv)\" = \"\$(sim_cols $tmp/sim2/results.csv)\" ]"
check "sim: OpenBLAS and oneDNN paths recorded" \
    "grep -q '\"detail\": \".*OpenBLAS Haswell; oneDNN avx2' $tmp/sim1/results.json"
"$bin" run --set seq_len=1024 --set head_dim=16 --set impls=naive,tiled --set counters=sim \
    --set sim_ll_bytes=1048576 --set min_reps=1 --set min_time_s=0 --out "$tmp/simll" > /dev/null 2>&1
ll_naive=$(grep '^naive,' "$tmp/simll/results.csv" > "$tmp/n.csv"; head -1 "$tmp/simll/results.csv" | cat - "$tmp/n.csv" > "$tmp/n2.csv"; column "$tmp/n2.csv" ctr_sim_ll_misses)
ll_tiled=$(grep '^tiled,' "$tmp/simll/results.csv" > "$tmp/t.csv"; head -1 "$tmp/simll/results.csv" | cat - "$tmp/t.csv" > "$tmp/t2.csv"; column "$tmp/t2.csv" ctr_sim_ll_misses)
check "sim: naive misses the last level far more than tiled ($ll_naive vs $ll_tiled)" \
    "[ -n \"$ll_naive\" ] && [ -n \"$ll_tiled\" ] && [ $ll_naive -gt \$((10 * $ll_tiled + 1000)) ]"

# 8. compare, merge, --list-cases and the Google Benchmark JSON. Timings of two real runs differ
#    by chance, so the verdicts here come from one run against itself and against an edited copy
#    (test_compare checks the statistics on fixtures).
small="--set impls=naive,avx2 --set seq_len=32,64 --set heads=2 --set head_dim=16 --set threads=1
 --set min_reps=10 --set min_time_s=0 --set counters=none --set peaks=off"
# shellcheck disable=SC2086
"$bin" run $small --set rounds=5 --out "$tmp/cmpa" --gbench "$tmp/cmpa.gbench.json" > "$tmp/cmpa.log" 2>&1
check "rounds = 5: four rounds announced, each case in 5 processes" \
    "[ \$(grep -c '^round [1-4] of 5 done' $tmp/cmpa.log) -eq 4 ] &&
     [ \$(grep -c '\"rounds\": 5,' $tmp/cmpa/results.json) -eq 5 ]"
check "rounds = 5: each round's calibration in results.json" \
    "[ \$(grep -c '\"compute_1t_s\": [0-9]' $tmp/cmpa/results.json) -eq 5 ]"
check "rounds = 5: results.csv in sweep order, one row per case" \
    "[ \"\$(cut -d, -f1,\$(csv_col $tmp/cmpa/results.csv seq_q) $tmp/cmpa/results.csv | tr '\n' ' ')\" = 'impl,seq_q naive,32 avx2,32 naive,64 avx2,64 ' ]"
"$bin" compare "$tmp/cmpa" "$tmp/cmpa/results.json" > "$tmp/cmp.txt" 2>&1
check "compare: a run in rounds against itself exits 0" "[ $? -eq 0 ]"
check "compare: every case same, no regression, the machine unchanged" \
    "grep -q '^time: 4 same\$' $tmp/cmp.txt && grep -q '^verdict: no regression\$' $tmp/cmp.txt &&
     grep -q '^note: machine: NEW.s calibration workload against BASE.s: compute_1t_s +0.0%, compute_all_s +0.0%, memory_s +0.0%' $tmp/cmp.txt"
# shellcheck disable=SC2086
"$bin" run $small --out "$tmp/cmp1" > /dev/null 2>&1
"$bin" compare "$tmp/cmp1" "$tmp/cmp1" > "$tmp/cmp1.txt" 2>&1
check "compare: one process a side is inconclusive, and says why" \
    "grep -q '^time: 4 inconclusive\$' $tmp/cmp1.txt &&
     grep -q '^note: 4 cases ran in one process on a side' $tmp/cmp1.txt &&
     grep -q '^verdict: no regression found, but 4 of 4 verdicts are inconclusive' $tmp/cmp1.txt"
mkdir "$tmp/cmpb"
sed '0,/"status": "PASS"/s//"status": "FAIL"/' "$tmp/cmpa/results.json" > "$tmp/cmpb/results.json"
"$bin" compare "$tmp/cmpa" "$tmp/cmpb" --format markdown > "$tmp/cmp.md" 2>&1
check "compare: PASS to FAIL exits 1" "[ $? -eq 1 ]"
check "compare: markdown names the broken case" "grep -q '^| broken | \`' $tmp/cmp.md"
"$bin" compare "$tmp/cmpa" "$tmp/cmpb" --format json --metric time,gflops > "$tmp/cmp.json" 2>&1
check "compare: json, two metrics, regressed" \
    "[ \$(grep -c '\"metric\": ' $tmp/cmp.json) -eq 2 ] && grep -q '^ \"regressed\": true' $tmp/cmp.json"
head -c 600 "$tmp/cmpa/results.json" > "$tmp/trunc.json"
expect_refusal "compare: truncated results" "NEW $tmp/trunc.json: not a complete JSON document" \
    "$bin" compare "$tmp/cmpa" "$tmp/trunc.json"
expect_refusal "compare: another tool's JSON" "not attnbench results" \
    "$bin" compare "$tmp/cmpa.gbench.json" "$tmp/cmpa"
sed 's/"format_version": 1/"format_version": 2/' "$tmp/cmpa/results.json" > "$tmp/v2.json"
expect_refusal "compare: another format version" "format_version 2; this attnbench reads version 1" \
    "$bin" compare "$tmp/cmpa" "$tmp/v2.json"
expect_refusal "compare: missing results" "BASE $tmp/nothing: No such file" \
    "$bin" compare "$tmp/nothing" "$tmp/cmpa"
expect_refusal "compare: one argument" "give BASE and NEW" "$bin" compare "$tmp/cmpa"
expect_refusal "compare: an ambiguous threshold" "--threshold '10'" \
    "$bin" compare "$tmp/cmpa" "$tmp/cmpa" --threshold 10
expect_refusal "compare: an unknown metric" "--metric bogus: not time" \
    "$bin" compare "$tmp/cmpa" "$tmp/cmpa" --metric bogus
expect_refusal "compare: an unknown format" "--format 'xml'" \
    "$bin" compare "$tmp/cmpa" "$tmp/cmpa" --format xml

# shellcheck disable=SC2086
listed=$("$bin" run $small --list-cases --out "$tmp/none" | grep -c '^--set impls=')
check "run --list-cases: one line per case ($listed), nothing written" "[ $listed -eq 4 ] && [ ! -e $tmp/none ]"
# shellcheck disable=SC2086
"$bin" run $small --set seq_len=48 --out "$tmp/cmpc" > /dev/null 2>&1
"$bin" merge "$tmp/merged" "$tmp/cmpa" "$tmp/cmpc" > /dev/null 2>&1
check "merge: 6 cases in JSON and CSV" \
    "[ \$(grep -c '\"repro\":' $tmp/merged/results.json) -eq 6 ] && [ \$(wc -l < $tmp/merged/results.csv) -eq 7 ]"
expect_refusal "merge: a case in two directories" "is in more than one directory" \
    "$bin" merge "$tmp/none" "$tmp/cmpa" "$tmp/cmpa"
"$bin" merge --pool "$tmp/pooled" "$tmp/cmpa" "$tmp/cmpa" "$tmp/cmpc" > /dev/null 2>&1
check "merge --pool: each case once, one sample per process (5 rounds twice, then one)" \
    "[ \$(grep -c '\"repro\":' $tmp/pooled/results.json) -eq 6 ] &&
     [ \$(grep -c '\"reps\": 10,' $tmp/pooled/results.json) -eq 4 ] &&
     [ \$(grep -c '\"reps\": 1,' $tmp/pooled/results.json) -eq 2 ]"
check "merge --pool: the calibrations pooled too" \
    "[ \$(grep -c '\"compute_1t_s\": [0-9]' $tmp/pooled/results.json) -eq 11 ]"

check "gbench.json in the results directory, same as --gbench FILE" \
    "cmp -s $tmp/cmpa/gbench.json $tmp/cmpa.gbench.json"
check "gbench: 4 aggregates per case" \
    "[ \$(grep -c '\"run_type\": \"aggregate\"' $tmp/cmpa/gbench.json) -eq 16 ]"
check "gbench: one iteration entry per repetition" \
    "[ \$(grep -c '\"run_type\": \"iteration\"' $tmp/cmpa/gbench.json) -eq \$(awk -F, -v r=\$(csv_col $tmp/cmpa/results.csv reps) 'NR > 1 { n += \$r } END { print n }' $tmp/cmpa/results.csv) ]"
expect_refusal "run --gbench into a missing directory" "--gbench $tmp/no/dir/g.json: cannot write" \
    "$bin" run $small --gbench "$tmp/no/dir/g.json" --out "$tmp/none"

# 9. Memory: a problem that cannot fit is SKIP with the numbers, and the run goes on.
"$bin" run --set impls=naive --set seq_len=4194304,8 --set head_dim=4096 --set heads=64 \
    --set peaks=off --out "$tmp/huge" > /dev/null 2>&1
check "a problem too large for memory: SKIP with the numbers, the others PASS" \
    "[ \$? -eq 0 ] && [ \$(grep -c ',SKIP,\"memory: needs [0-9.]* TiB for q, k, v, o, a second input set and the two double-precision references; .* available (' $tmp/huge/results.csv) -eq 1 ] &&
     [ \$(grep -c ',PASS,' $tmp/huge/results.csv) -eq 1 ]"

# 10. Threads: more than the machine has runs as asked, with a note; no implementation's pools
#     multiply (OpenBLAS, oneDNN and our loops share one OpenMP pool of the case's count).
many=$(($(nproc) * 2 + 1))
"$bin" run --set impls=all --set seq_len=512 --set head_dim=16 --set threads=1,2,$many \
    --set peaks=off --set min_reps=1 --set min_time_s=0 --out "$tmp/threads" > "$tmp/threads.log" 2>&1
# Each built-in this machine runs, at three thread counts (avx512 only where the CPU has it).
usable=$("$bin" list | awk 'NR > 1 && $2 == "built-in" && $4 == "yes"' | wc -l)
check "threads = $many (twice this machine's CPUs and one): run, with the note; $usable built-ins run here, 3 cases each" \
    "[ \$? -eq 0 ] && grep -q '^note: threads = $many is more than the [0-9]* CPUs this process may run on' $tmp/threads.log &&
     [ \$(grep -c ',PASS,' $tmp/threads/results.csv) -eq $((usable * 3)) ]"
check "each case's process has at most its thread count of threads" \
    "awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
              \$c[\"status\"] == \"PASS\" { if (\$c[\"os_threads\"] < 1 || \$c[\"os_threads\"] > \$c[\"threads\"]) bad = 1 } END { exit bad }' $tmp/threads/results.csv"

finish
