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

# The summary line, and the exit status: 0 when nothing failed.
finish() {
    echo "$test_name: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
