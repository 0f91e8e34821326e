#!/bin/sh
# shards.sh: run --shard I/N without a cluster: the shards of a sweep hold exactly its cases,
# each once, the same deal on every call; --list-cases honours --shard; merge joins them into
# the whole sweep's results, and refuses shards missing, unfinished, given twice or of another
# sweep (naming them); a shard killed mid-run is finished by run --resume; `attnbench shards`
# says where each stands; and the merged directory plots.
set -u
test_name=shards
# shellcheck source=tests/test_lib.sh
. "$(dirname "$0")/test_lib.sh"

cd "$root" || exit 1
# naive, tiled and the sleep plugin: the sleeper hangs while ATTNBENCH_TEST_SLEEP is set (so a
# kill always finds a shard mid-run) and is a SKIP otherwise.
printf '[sweep]\nimpls = naive, tiled, sleeper\nseq_len = 16, 33, 64\nhead_dim = 8, 24\ncausal = false, true\n[measure]\npeaks = off\nmin_time_s = 0\nmin_reps = 2\nmax_reps = 3\ntimeout_s = 120\n' \
    > "$tmp/s.ini"
plugin="--plugin $B/tests/sleep_plugin.so"
# key and status of every row, sorted: what two runs of one sweep must agree on.
keys_and_statuses() {
    _upto=$(csv_col "$1/results.csv" status)
    tail -n +2 "$1/results.csv" | cut -d, -f1-"$_upto" | sort
}

# shellcheck disable=SC2086
"$bin" run --config "$tmp/s.ini" $plugin --out "$tmp/whole" > /dev/null 2>&1
# shellcheck disable=SC2086
"$bin" run --config "$tmp/s.ini" $plugin --list-cases | sort > "$tmp/all.txt"
: > "$tmp/dealt.txt"
for i in 0 1 2 3; do
    # shellcheck disable=SC2086
    "$bin" run --config "$tmp/s.ini" $plugin --shard $i/4 --list-cases > "$tmp/list$i.txt"
    cat "$tmp/list$i.txt" >> "$tmp/dealt.txt"
done
check "--list-cases --shard: the four shards list the sweep's 36 cases, each once" \
    "[ \$(wc -l < $tmp/all.txt) -eq 36 ] && [ \"\$(sort $tmp/dealt.txt)\" = \"\$(cat $tmp/all.txt)\" ]"
check "--list-cases --shard: no shard empty, and a problem's 3 cases in one shard" \
    "for i in 0 1 2 3; do [ \$(wc -l < $tmp/list\$i.txt) -gt 0 ] && [ \$((\$(wc -l < $tmp/list\$i.txt) % 3)) -eq 0 ] || exit 1; done"
# shellcheck disable=SC2086
check "--shard: the same deal on a second call" \
    "[ \"\$($bin run --config $tmp/s.ini $plugin --shard 2/4 --list-cases)\" = \"\$(cat $tmp/list2.txt)\" ]"

# Shards 0, 2 and 3 run to their end; shard 1 is killed (kill -9) while its sleeper hangs.
for i in 0 2 3; do
    # shellcheck disable=SC2086
    "$bin" run --config "$tmp/s.ini" $plugin --shard $i/4 --out "$tmp/shard$i" > "$tmp/shard$i.log" 2>&1
done
check "a shard's run: exit 0, its note, and its place in results.json" \
    "grep -q 'note: shard 0 of 4 (numbered from 0): [0-9]* of the sweep.s 36 cases' $tmp/shard0.log &&
     grep -q '\"index\": 0' $tmp/shard0/results.json && grep -q '\"sweep_id\"' $tmp/shard0/results.json"
rows() { [ -f "$1/results.csv" ] && echo $(($(wc -l < "$1/results.csv") - 1)) || echo 0; }
# shellcheck disable=SC2086
(ATTNBENCH_TEST_SLEEP=1 exec "$bin" run --config "$tmp/s.ini" $plugin --shard 1/4 \
    --out "$tmp/shard1" > "$tmp/shard1.log" 2>&1) &
pid=$!
n=0
while [ "$(rows "$tmp/shard1")" -lt 2 ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
sleep 0.3
kill -9 $pid
wait $pid 2> /dev/null
pkill -9 -f -- "--out $tmp/shard1\$" 2> /dev/null

"$bin" shards "$tmp/shard0" "$tmp/shard1" > "$tmp/status.out" 2>&1
rc=$?
check "shards: one line each, shard 1 unfinished with the command to finish it, exit 1" \
    "[ $rc -eq 1 ] && grep -q 'shard0: shard 0/4 complete' $tmp/status.out &&
     grep -q 'shard1: unfinished: .*attnbench run --resume $tmp/shard1' $tmp/status.out"
expect_refusal "merge: an unfinished shard, named with the command that finishes it" \
    "shard1 is unfinished .*run --resume $tmp/shard1" \
    "$bin" merge "$tmp/m-unfinished" "$tmp/shard0" "$tmp/shard1" "$tmp/shard2" "$tmp/shard3"
expect_refusal "merge: a missing shard, named" "shard 1 of 4 is missing: give its directory" \
    "$bin" merge "$tmp/m-missing" "$tmp/shard0" "$tmp/shard2" "$tmp/shard3"
expect_refusal "merge: a shard given twice" "shard2 and .*shard2 are both shard 2/4" \
    "$bin" merge "$tmp/m-twice" "$tmp/shard0" "$tmp/shard2" "$tmp/shard2" "$tmp/shard3"
# shellcheck disable=SC2086
"$bin" run --config "$tmp/s.ini" $plugin --set seed=7 --shard 1/4 --out "$tmp/other1" > /dev/null 2>&1
expect_refusal "merge: a shard of another sweep (another seed)" "other1 is shard 1/4 of sweep" \
    "$bin" merge "$tmp/m-other" "$tmp/shard0" "$tmp/other1" "$tmp/shard2" "$tmp/shard3"
expect_refusal "merge: shards mixed with a whole run" "whole is not a shard" \
    "$bin" merge "$tmp/m-mixed" "$tmp/shard0" "$tmp/whole"
check "merge: a refused merge leaves no OUT" \
    "[ ! -e $tmp/m-unfinished ] && [ ! -e $tmp/m-missing ] && [ ! -e $tmp/m-other ]"
"$bin" merge --partial "$tmp/m-partial" "$tmp/shard0" "$tmp/shard2" "$tmp/shard3" > "$tmp/partial.out" 2>&1
check "merge --partial: merges what is there and says what is missing" \
    "grep -q 'note: merged with --partial: [0-9]* of the sweep.s 36 cases are missing (shards missing: 1)' $tmp/partial.out &&
     grep -q 'cases_missing' $tmp/m-partial/results.json"
"$bin" shards "$tmp/m-partial" > "$tmp/partial.status" 2>&1
check "shards: a partial merge is merged results short of the sweep, no resume offered, exit 1" \
    "[ $? -eq 1 ] && grep -q 'merged results: [0-9]* of the sweep.s 36 cases (a partial merge' \
     $tmp/partial.status && ! grep -q 'resume' $tmp/partial.status"

"$bin" run --resume "$tmp/shard1" > "$tmp/resume.log" 2>&1
check "run --resume: the killed shard finishes (exit 0), and is complete" \
    "[ $? -eq 0 ] && $bin shards $tmp/shard1 | grep -q 'shard 1/4 complete'"
"$bin" merge "$tmp/merged" "$tmp/shard0" "$tmp/shard1" "$tmp/shard2" "$tmp/shard3" > "$tmp/merge.out" 2>&1
check "merge: the four shards, exit 0" "[ $? -eq 0 ] && grep -q 'merged 36 cases from 4' $tmp/merge.out"
"$bin" shards "$tmp/merged" > "$tmp/merged.status" 2>&1
check "shards: the whole merge is merged results of all 36 cases, exit 0" \
    "[ $? -eq 0 ] && grep -q 'merged results: 36 of the sweep.s 36 cases$' $tmp/merged.status"
check "merge: exactly the unsharded run's cases and statuses, none twice" \
    "[ \"\$(keys_and_statuses $tmp/merged)\" = \"\$(keys_and_statuses $tmp/whole)\" ] &&
     [ -z \"\$(keys_and_statuses $tmp/merged | uniq -d)\" ]"
check "merge: the merged run is the sweep's (36 planned), each shard's host and machine kept" \
    "grep -q '\"cases_planned\": 36' $tmp/merged/results.json &&
     [ \$(grep -c '\"cpu_model\"' $tmp/merged/results.json) -ge 5 ] &&
     grep -q '\"machines_differ\": \[\]' $tmp/merged/results.json"
check "merge: shards of one machine: no note that machines differ" \
    "! grep -q 'machines that differ' $tmp/merge.out"
# One shard's results as if from another CPU and a faster machine: the merge says so.
sed 's/"cpu_model": "[^"]*"/"cpu_model": "Another CPU"/' "$tmp/shard3/results.json" > "$tmp/r.json"
mkdir -p "$tmp/shard3x" && mv "$tmp/r.json" "$tmp/shard3x/results.json" && cp "$tmp/shard3/results.csv" "$tmp/shard3x/"
"$bin" merge "$tmp/merged-x" "$tmp/shard0" "$tmp/shard1" "$tmp/shard2" "$tmp/shard3x" > "$tmp/mergex.out" 2>&1
check "merge: shards on machines that differ: merged, with a note naming the difference" \
    "[ $? -eq 0 ] && grep -q 'note: the shards ran on machines that differ.*cpu_model .* and .Another CPU.' $tmp/mergex.out &&
     grep -q 'Another CPU' $tmp/merged-x/results.json"
"$bin" plots "$tmp/merged" > "$tmp/plots.out" 2>&1
check "plots and the HTML report of the merged directory" \
    "[ $? -eq 0 ] && [ -s $tmp/merged/index.html ]"
finish
