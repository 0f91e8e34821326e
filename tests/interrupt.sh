#!/bin/sh
# interrupt.sh: a sweep stopped by SIGINT, SIGTERM or kill -9 keeps every case it finished, and
# `run --resume DIR` completes it to exactly the cases an uninterrupted run records. The sweep
# includes the sleep plugin, whose run() hangs while ATTNBENCH_TEST_SLEEP is set: the signal
# always finds a case running. Resumed without the variable, that implementation is a SKIP.
set -u
test_name=interrupt
# shellcheck source=tests/test_lib.sh
. "$(dirname "$0")/test_lib.sh"

cd "$root" || exit 1
printf '[sweep]\nimpls = naive, sleeper\nseq_len = 16, 32\nhead_dim = 8\n[measure]\npeaks = off\ntimeout_s = 120\n' \
    > "$tmp/int.ini"
run_sweep() {   # out dir, then extra options
    out=$1; shift
    "$bin" run --config "$tmp/int.ini" --plugin "$B/tests/sleep_plugin.so" --out "$out" "$@"
}
rows() { [ -f "$1/results.csv" ] && echo $(($(wc -l < "$1/results.csv") - 1)) || echo 0; }
cases_in_json() { grep -c '"repro":' "$1/results.json"; }
# Starts the sweep with the sleeper hanging, waits until the first case (naive) is recorded and
# the second (the sleeper) has had time to start, then sends the signal. Sets rc.
interrupt_sweep() {   # out dir, signal
    # exec: $! is then the harness itself, not a subshell around it.
    (ATTNBENCH_TEST_SLEEP=1 exec "$bin" run --config "$tmp/int.ini" \
        --plugin "$B/tests/sleep_plugin.so" --out "$1" > "$1.log" 2> "$1.err") &
    pid=$!
    i=0
    while [ "$(rows "$1")" -lt 1 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    sleep 0.5
    kill -s "$2" $pid
    wait $pid
    rc=$?
}
no_process_left() { ! pgrep -f -- "--out $1\$" > /dev/null; }

# The uninterrupted run the resumed ones must match.
run_sweep "$tmp/whole" > /dev/null 2>&1
check "uninterrupted: 4 cases (naive PASS, sleeper SKIP)" \
    "[ \$(rows $tmp/whole) -eq 4 ] && [ \$(grep -c ',PASS,' $tmp/whole/results.csv) -eq 2 ] &&
     [ \$(grep -c ',SKIP,' $tmp/whole/results.csv) -eq 2 ]"
same_as_whole() {   # every column but the measured ones: key, status, reason, in order
    _upto=$(csv_col "$1/results.csv" reason)
    [ "$(cut -d, -f1-"$_upto" "$1/results.csv")" = "$(cut -d, -f1-"$_upto" "$tmp/whole/results.csv")" ] &&
        [ "$(grep -o '"impl": "[a-z]*"\|"status": "[A-Z]*"' "$1/results.json")" = \
          "$(grep -o '"impl": "[a-z]*"\|"status": "[A-Z]*"' "$tmp/whole/results.json")" ]
}

# 1. SIGINT: the running case's child is killed, the finished case is on disk and in a
#    results.json marked interrupted, exit 130.
interrupt_sweep "$tmp/int" INT
check "SIGINT: exit 130" "[ $rc -eq 130 ]"
check "SIGINT: one line saying how to continue" \
    "grep -q 'interrupted (SIGINT): 1 of 4 cases recorded in $tmp/int; continue with: build/attnbench run --resume $tmp/int' $tmp/int.err &&
     [ \$(wc -l < $tmp/int.err) -eq 1 ]"
check "SIGINT: the finished case in results.csv" "[ \$(rows $tmp/int) -eq 1 ]"
check "SIGINT: results.json completed, marked interrupted, the finished case in it" \
    "grep -q '\"interrupted\": true' $tmp/int/results.json && [ \$(cases_in_json $tmp/int) -eq 1 ]"
check "SIGINT: the case's child is gone" "no_process_left $tmp/int"
"$bin" shards "$tmp/int" > "$tmp/int.shards" 2>&1
check "SIGINT: shards calls it unfinished, with the command, exit 1" \
    "[ $? -eq 1 ] && grep -q 'a whole sweep, unfinished: 1 of its 4 cases recorded (interrupted); \
continue with: attnbench run --resume $tmp/int' $tmp/int.shards"
"$bin" run --resume "$tmp/int" > "$tmp/int.resume.log" 2>&1
check "resume: exit 0" "[ $? -eq 0 ]"
check "resume: says what it took over" "grep -q 'resuming .*: 1 of 4 cases recorded' $tmp/int.resume.log"
check "resume: the same cases, statuses and order as the uninterrupted run" "same_as_whole $tmp/int"
check "resume: results.json complete, not interrupted, 1 case carried over" \
    "grep -q '\"interrupted\": false' $tmp/int/results.json && grep -q '\"cases_resumed\": 1' $tmp/int/results.json"
"$bin" shards "$tmp/int" > "$tmp/int.shards" 2>&1
check "resume: shards calls it complete, exit 0" \
    "[ $? -eq 0 ] && grep -q 'a whole sweep, not a shard: 4 cases, complete' $tmp/int.shards"
journal_lines=$(wc -l < "$tmp/int/cases.jsonl")
"$bin" run --resume "$tmp/int" > /dev/null 2>&1
check "resume of a finished run: runs nothing, changes nothing" \
    "[ $? -eq 0 ] && same_as_whole $tmp/int && [ \$(wc -l < $tmp/int/cases.jsonl) -eq $journal_lines ]"

# 1b. A run in rounds, cut off in its second round (its journal cut after round 1, round 2's
#     calibration and one case of round 2): the resumed run runs only what is missing and ends
#     with every case in 3 processes and 3 calibrations, as an uninterrupted run does.
printf '[sweep]\nimpls = naive\nseq_len = 16, 32\nhead_dim = 8\n[measure]\npeaks = off\nrounds = 3\n' \
    > "$tmp/rounds.ini"
"$bin" run --config "$tmp/rounds.ini" --out "$tmp/rounds" > /dev/null 2>&1
check "rounds = 3: the journal holds the command, 3 calibrations, 2 cases x 2 early rounds, 2 cases" \
    "[ \$(wc -l < $tmp/rounds/cases.jsonl) -eq 10 ] &&
     [ \$(grep -c '^{\"calibration\"' $tmp/rounds/cases.jsonl) -eq 3 ] &&
     [ \$(grep -c '\"round\":[12],\"case\"' $tmp/rounds/cases.jsonl) -eq 4 ]"
head -n 6 "$tmp/rounds/cases.jsonl" > "$tmp/cut.jsonl"
mv "$tmp/cut.jsonl" "$tmp/rounds/cases.jsonl"
rm "$tmp/rounds/results.json"
"$bin" run --resume "$tmp/rounds" > "$tmp/rounds.resume.log" 2>&1
check "rounds: resume exit 0, says it took over 3 rounds" \
    "[ $? -eq 0 ] && grep -q 'resuming .*: 3 rounds of unfinished cases recorded' $tmp/rounds.resume.log"
check "rounds: resumed, each case in 3 processes, 3 calibrations, nothing twice" \
    "[ \$(grep -c '\"rounds\": 3,' $tmp/rounds/results.json) -eq 3 ] &&
     [ \$(grep -c '\"compute_1t_s\": [0-9]' $tmp/rounds/results.json) -eq 3 ] &&
     [ \$(grep -c '\"round\":[12],\"case\"' $tmp/rounds/cases.jsonl) -eq 4 ] &&
     [ \$(rows $tmp/rounds) -eq 2 ]"

# 2. SIGTERM: the same, exit 130.
interrupt_sweep "$tmp/term" TERM
check "SIGTERM: exit 130, results.json interrupted" \
    "[ $rc -eq 130 ] && grep -q 'terminated (SIGTERM)' $tmp/term.err && grep -q '\"interrupted\": true' $tmp/term/results.json"

# 3. kill -9 (a power cut): every finished row intact, no results.json, the case's child dies
#    with the harness; a torn last journal line is left out and its case runs again.
interrupt_sweep "$tmp/k9" KILL
check "kill -9: the finished row in results.csv, no results.json" \
    "[ \$(rows $tmp/k9) -eq 1 ] && [ ! -e $tmp/k9/results.json ]"
sleep 0.5
check "kill -9: the case's child died with the harness" "no_process_left $tmp/k9"
printf '{"key": "sleeper b1 h1/1 q16 kv16 d8 full normal f32 t1 warm", "csv": "sleeper,1' >> "$tmp/k9/cases.jsonl"
cp "$tmp/int.ini" "$tmp/int.ini.orig"
echo 'warmup = 2' >> "$tmp/int.ini"
"$bin" run --resume "$tmp/k9" > /dev/null 2> "$tmp/err.txt"
check "resume refuses a sweep whose config changed, one line" \
    "[ $? -eq 2 ] && grep -q 'int.ini changed since the run began' $tmp/err.txt && [ \$(wc -l < $tmp/err.txt) -eq 1 ]"
cp "$tmp/int.ini.orig" "$tmp/int.ini"
(cd /tmp && "$bin" run --resume "$tmp/k9") > "$tmp/k9.resume.log" 2>&1
check "resume after kill -9 (from another directory): exit 0, torn record left out" \
    "[ $? -eq 0 ] && grep -q 'torn last record left out' $tmp/k9.resume.log"
check "resume after kill -9: the same cases as the uninterrupted run" "same_as_whole $tmp/k9"

# 3b. SIGINT during counters = sim: the callgrind child is killed and its directory removed.
sims_before=$(ls -d /tmp/attnbench-sim.* 2> /dev/null | wc -l)
("$bin" run --set impls=naive,tiled --set seq_len=256,512 --set head_dim=32 --set counters=sim \
    --set peaks=off --out "$tmp/sim" > /dev/null 2>&1; echo $? > "$tmp/sim.rc") &
i=0
while [ "$(rows "$tmp/sim")" -lt 1 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
pkill -INT -f -- "--out $tmp/sim\$"
wait
check "SIGINT during a simulation: exit 130, no simulation directory left" \
    "[ \$(cat $tmp/sim.rc) -eq 130 ] && [ \$(ls -d /tmp/attnbench-sim.* 2> /dev/null | wc -l) -eq $sims_before ] &&
     no_process_left $tmp/sim"

# 4. --resume's own bad input: exit 2, one line, nothing written.
expect_refusal "--resume with other options" "--resume DIR takes no other options" \
    "$bin" run --resume "$tmp/int" --set heads=2
expect_refusal "--resume with no value" "--resume needs a value" "$bin" run --resume
expect_refusal "--resume of a missing directory" "--resume $tmp/nowhere: No such file" \
    "$bin" run --resume "$tmp/nowhere"
mkdir "$tmp/empty"
expect_refusal "--resume of a directory run did not write" "cases.jsonl: No such file or directory" \
    "$bin" run --resume "$tmp/empty"
check "  ... and nothing written there" "[ -z \"\$(ls $tmp/empty)\" ]"
echo 'not json' > "$tmp/empty/cases.jsonl"
expect_refusal "--resume of a journal that is not one" "cases.jsonl:1: not JSON" \
    "$bin" run --resume "$tmp/empty"

finish
