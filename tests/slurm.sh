#!/bin/sh
# slurm.sh: scripts/slurm-sweep against a real Slurm. Starts a one-node cluster on this machine
# (munged, slurmctld and slurmd from Debian's packages, a generated slurm.conf with
# select/cons_tres, everything in a scratch directory, as root), then:
#   1. a small sweep of every built-in in 4 shards: the merge job's results hold exactly the
#      unsharded run's cases, all PASS, none twice, with the plots and report;
#   2. a sweep whose shard 1 hangs (the sleep plugin in array task 1 alone) is killed there
#      (scancel --signal=KILL); the merge job never runs; slurm-sweep --resume resubmits that
#      shard alone, and the sweep completes.
# Every daemon it started is stopped on exit. Where Slurm is not installed or this is not root,
# it says so in one line and passes nothing.
set -u
test_name=slurm
# shellcheck source=tests/test_lib.sh
. "$(dirname "$0")/test_lib.sh"

for tool in munged slurmctld slurmd sbatch squeue scancel scontrol sinfo; do
    if ! command -v $tool > /dev/null 2>&1; then
        echo "slurm: not run: $tool is not installed here (scripts/install-deps slurm installs Slurm and munge)"
        exit 0
    fi
done
if [ "$(id -u)" -ne 0 ]; then
    echo "slurm: not run: a test cluster's slurmd must run as root, and this is uid $(id -u)"
    exit 0
fi

cd "$root" || exit 1
cluster=$tmp/cluster
mkdir -p "$cluster/state" "$cluster/spool"
export SLURM_CONF="$cluster/slurm.conf"

stop_cluster() {
    scontrol shutdown > /dev/null 2>&1
    for f in slurmctld slurmd munged; do
        [ -f "$cluster/$f.pid" ] && kill "$(cat "$cluster/$f.pid")" 2> /dev/null
    done
    sleep 1
    for f in slurmctld slurmd munged; do
        [ -f "$cluster/$f.pid" ] && kill -9 "$(cat "$cluster/$f.pid")" 2> /dev/null
    done
    # Anything of a job still running (a test that failed halfway).
    pkill -9 -f "$tmp/" 2> /dev/null
}
trap 'stop_cluster; rm -rf "$tmp"' EXIT

# Two free TCP ports in a row for slurmctld and slurmd.
port=16817
while ss -ltn | grep -q ":$port \|:$((port + 1)) "; do port=$((port + 2)); done
host=$(hostname -s)
cat > "$SLURM_CONF" <<EOF
ClusterName=attnbench-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$cluster/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/slurmctld.log
SlurmdLogFile=$cluster/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
dd if=/dev/urandom of="$cluster/munge.key" bs=1024 count=1 2> /dev/null
chmod 400 "$cluster/munge.key"
started=$(date +%s)
munged --force --socket="$cluster/munge.socket" --key-file="$cluster/munge.key" \
    --pid-file="$cluster/munged.pid" --log-file="$cluster/munged.log" \
    --seed-file="$cluster/munged.seed" &&
    slurmctld -f "$SLURM_CONF" && slurmd -f "$SLURM_CONF" -N "$host"
n=0
until [ "$(sinfo -h -o %T 2> /dev/null)" = "idle" ] || [ $n -ge 60 ]; do sleep 0.5; n=$((n + 1)); done
if ! check "the test cluster: one node, idle (up in $(($(date +%s) - started)) s)" \
    "[ \"\$(sinfo -h -o %T)\" = idle ]"; then
    tail -5 "$cluster/slurmctld.log" "$cluster/slurmd.log" "$cluster/munged.log"
    finish
    exit 1
fi

state() { scontrol show job "$1" 2> /dev/null | grep -o 'JobState=[A-Z_]*' | head -1 | cut -d= -f2; }
# Waits until job $1 (every task of an array) is gone from the queue; at most $2 seconds.
wait_job() {
    _n=0
    while squeue -h -j "$1" 2> /dev/null | grep -q . && [ $_n -lt $(($2 * 2)) ]; do
        sleep 0.5
        _n=$((_n + 1))
    done
}
keys_and_statuses() {
    _upto=$(csv_col "$1/results.csv" status)
    tail -n +2 "$1/results.csv" | cut -d, -f1-"$_upto" | sort
}

# 1. Every built-in, 4 shards, against the same sweep run whole on this machine.
# The built-ins this machine runs (avx2 needs AVX2): every case of them must PASS.
here=$("$bin" list | awk 'NR > 1 && $2 == "built-in" && $4 == "yes" { print $1 }' | paste -sd, -)
echo "   (built-ins available here: $here)"
printf "[sweep]\nimpls = $here\nseq_len = 16, 33, 64, 100\nhead_dim = 8, 24\ncausal = false, true\nthreads = 1, 2\n[measure]\npeaks = off\nmin_time_s = 0\nmin_reps = 2\nmax_reps = 3\n" \
    > "$tmp/a.ini"
t0=$(date +%s)
"$bin" run --config "$tmp/a.ini" --out "$tmp/whole" > "$tmp/whole.log" 2>&1
t1=$(date +%s)
scripts/slurm-sweep "$tmp/a.ini" --shards 4 --out "$tmp/A" > "$tmp/submit-a.log" 2>&1
merge=$(sed -n 's/^submitted the merge: job \([0-9]*\).*/\1/p' "$tmp/submit-a.log")
array=$(sed -n 's/^submitted shards .*: job array \([0-9]*\)$/\1/p' "$tmp/submit-a.log")
check "slurm-sweep: a job array of 4 shards and a merge job after it" \
    "grep -q 'submitted shards 0,1,2,3 of 4' $tmp/submit-a.log && [ -n '$merge' ] && [ -n '$array' ] &&
     scontrol show job $merge | grep -q 'Dependency=afterok:${array}_\*'"
wait_job "$merge" 300
t2=$(date +%s)
echo "   (one sweep of $(wc -l < "$tmp/whole/results.csv") rows: run whole $((t1 - t0)) s; in 4 shards through Slurm, submission to merged report $((t2 - t1)) s)"
check "the merge job completed" "[ \"\$(state $merge)\" = COMPLETED ]"
check "merged: exactly the unsharded run's cases and statuses, none twice" \
    "[ -s $tmp/A/merged/results.csv ] &&
     [ \"\$(keys_and_statuses $tmp/A/merged)\" = \"\$(keys_and_statuses $tmp/whole)\" ] &&
     [ -z \"\$(keys_and_statuses $tmp/A/merged | uniq -d)\" ]"
check "merged: every case PASS (every built-in available here)" \
    "[ \"\$(column $tmp/A/merged/results.csv status | sort -u)\" = PASS ]"
check "merged: the plots and the HTML report, drawn by the merge job" \
    "[ -s $tmp/A/merged/index.html ] && ls $tmp/A/merged/plots/*.png > /dev/null 2>&1"
check "every shard complete, each an ordinary results directory" \
    "$bin shards $tmp/A/shard-0 $tmp/A/shard-1 $tmp/A/shard-2 $tmp/A/shard-3 > /dev/null"

# 2. A shard killed mid-run, then --resume.
printf '[sweep]\nimpls = naive, sleeper\nseq_len = 16, 33, 64\nhead_dim = 8\ncausal = false, true\n[measure]\npeaks = off\nmin_time_s = 0\nmin_reps = 2\nmax_reps = 3\ntimeout_s = 600\n' \
    > "$tmp/b.ini"
"$bin" run --config "$tmp/b.ini" --plugin "$B/tests/sleep_plugin.so" --out "$tmp/whole-b" > /dev/null 2>&1
ATTNBENCH_TEST_SLEEP_TASK=1 scripts/slurm-sweep "$tmp/b.ini" --shards 4 --out "$tmp/B" \
    --plugin "$B/tests/sleep_plugin.so" > "$tmp/submit-b.log" 2>&1
merge=$(sed -n 's/^submitted the merge: job \([0-9]*\).*/\1/p' "$tmp/submit-b.log")
array=$(sed -n 's/^submitted shards .*: job array \([0-9]*\)$/\1/p' "$tmp/submit-b.log")
rows() { [ -f "$1/results.csv" ] && echo $(($(wc -l < "$1/results.csv") - 1)) || echo 0; }
n=0
while [ "$(rows "$tmp/B/shard-1")" -lt 1 ] && [ $n -lt 240 ]; do sleep 0.5; n=$((n + 1)); done
sleep 1
check "shard 1 is running, hung in its sleeper case" "[ \"\$(state ${array}_1)\" = RUNNING ]"
scancel --signal=KILL "${array}_1"
wait_job "$array" 300
check "killed: shard 1 unfinished, the other shards complete, the merge job still waiting" \
    "! $bin shards $tmp/B/shard-1 > /dev/null 2>&1 &&
     $bin shards $tmp/B/shard-0 $tmp/B/shard-2 $tmp/B/shard-3 > /dev/null &&
     [ \"\$(state $merge)\" = PENDING ] && [ ! -e $tmp/B/merged/results.json ]"
scripts/slurm-sweep --resume "$tmp/B" > "$tmp/resume-b.log" 2>&1
check "--resume: only shard 1 is submitted again, with a new merge job" \
    "grep -q 'submitted shards 1 of 4' $tmp/resume-b.log && [ \"\$(state $merge)\" = CANCELLED ]"
merge=$(sed -n 's/^submitted the merge: job \([0-9]*\).*/\1/p' "$tmp/resume-b.log")
wait_job "$merge" 300
check "--resume: the sweep completes and merges: the unsharded run's cases and statuses" \
    "[ \"\$(state $merge)\" = COMPLETED ] &&
     [ \"\$(keys_and_statuses $tmp/B/merged)\" = \"\$(keys_and_statuses $tmp/whole-b)\" ]"
check "--resume: the resumed shard kept the case it had finished (resumed, not rerun)" \
    "grep -q '\"cases_resumed\": [1-9]' $tmp/B/shard-1/results.json"
check "--resume of a finished sweep: nothing to do" \
    "scripts/slurm-sweep --resume $tmp/B | grep -q 'nothing to do'"

stop_cluster
check "every daemon the test started is stopped" \
    "! pgrep -f '$cluster' > /dev/null && ! pgrep -f 'munged --force --socket=$cluster' > /dev/null"
finish
