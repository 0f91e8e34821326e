# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154  # test_name comes from, and bin and the rest go to, the sourcing script
# test_lib.sh: what the shell tests share, sourced after setting test_name: the repository
# root, the binary of build $B (default build; ATTNBENCH overrides it), a scratch directory
# removed on exit, a peaks cache inside it (never the user's), and the pass/fail tally.
root=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case $B in
/*) bdir=$B ;;
*) bdir=$root/$B ;;
esac
bin=${ATTNBENCH:-$bdir/attnbench}
tmp=$(mktemp -d "/tmp/attnbench-$test_name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export ATTNBENCH_CACHE_DIR="$tmp/cache"
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok: $1"; }
bad() { failed=$((failed + 1)); echo "FAILED: $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# The number of the column of results.csv (or any CSV) whose header is name; nothing if none.
csv_col() { head -1 "$1" | tr ',' '\n' | grep -nxF "$2" | cut -d: -f1; }

# That column's values, a line per row (no quoted commas in it: counts, statuses, names); a
# column that is not there prints "(no column NAME)" on every row, which no check accepts.
column() {
    awk -F, -v c="$(csv_col "$1" "$2")" -v name="$2" \
        'NR > 1 { print (c ? $c : "(no column " name ")") }' "$1"
}

# A refusal of bad input: the command exits 2 with one line on stderr, matching want (a grep
# pattern), and prints nothing on stdout.
expect_refusal() {   # name, want, command...
    _name=$1
    _want=$2
    shift 2
    _rc=0
    "$@" > "$tmp/refusal.out" 2> "$tmp/refusal.err" || _rc=$?
    if [ "$_rc" -eq 2 ] && grep -q -- "$_want" "$tmp/refusal.err" &&
        [ "$(wc -l < "$tmp/refusal.err")" -eq 1 ] && [ ! -s "$tmp/refusal.out" ]; then
        ok "$_name"
    else
        bad "$_name (exit $_rc, stdout $(wc -c < "$tmp/refusal.out") bytes: $(cat "$tmp/refusal.err"))"
    fi
}

# The summary line, and the exit status: 0 when nothing failed.
finish() {
    echo "$test_name: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
