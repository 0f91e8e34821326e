#!/bin/sh
# bad_input.sh: bad input, everywhere (issue 6): configs, the command line, plugins and the
# results that compare, merge, gbench and plots read. Every row asserts exit status 2, exactly
# one line on stderr that starts "attnbench", names what and where, and holds no control bytes,
# nothing on stdout, and nothing written: each command runs in a fresh empty directory, and
# that directory, the inputs and the peaks cache are the same afterwards, file for file.
#
# B=DIR picks the build (default build, relative to the repo root): B=/tmp/b tests/bad_input.sh.
# It needs $B/attnbench and the test plugins ($(TEST_PLUGINS) in the Makefile).
# $valid and $small hold several --set arguments and are split on purpose.
# shellcheck disable=SC2086
set -u
test_name=bad_input
# shellcheck source=tests/test_lib.sh
. "$(dirname "$0")/test_lib.sh"
plug=$bdir/tests
trap 'exit 2' HUP INT TERM
in=$tmp/in           # every input file; rows name them by absolute path
w=$tmp/w             # the fresh working directory of each row
unwanted=""

for f in "$bin" "$plug/no_symbol_plugin.so" "$plug/bad_abi_plugin.so" "$plug/dup_plugin.so" \
         "$plug/null_run_plugin.so" "$plug/null_name_plugin.so" "$plug/bad_name_plugin.so" \
         "$plug/twin_a_plugin.so" "$plug/twin_b_plugin.so"; do
    if [ ! -f "$f" ]; then
        echo "bad_input.sh: $f is missing; build it first (make B=$B all \$(TEST_PLUGINS))"
        exit 1
    fi
done

# What a row may not change: every path under the inputs, the working directory and the cache,
# with a checksum of every file.
snapshot() {
    find "$in" "$w" "$tmp/cache" -print 2> /dev/null | LC_ALL=C sort
    find "$in" "$w" "$tmp/cache" -type f -exec cksum {} + 2> /dev/null | LC_ALL=C sort
}

# Every '*'-separated piece of want appears in file (fixed strings, not patterns).
has_all() {
    _rest=$2
    while :; do
        case $_rest in
        *'*'*) _part=${_rest%%'*'*}; _rest=${_rest#*'*'} ;;
        *) _part=$_rest; _rest="" ;;
        esac
        if [ -n "$_part" ] && ! grep -qF -- "$_part" "$1"; then
            return 1
        fi
        [ -n "$_rest" ] || return 0
    done
}

# One row: name, the text the message must hold (* between parts), command...
row() {
    name=$1; want=$2; shift 2
    rm -rf "$w" && mkdir "$w" && ln -s "$root/scripts" "$w/scripts" || exit 1
    snapshot > "$tmp/before"
    (cd "$w" && "$@") < /dev/null > "$tmp/out" 2> "$tmp/err"
    rc=$?
    snapshot > "$tmp/after"
    why=""
    [ $rc -eq 2 ] || why="$why; exit status $rc, not 2"
    [ "$(wc -l < "$tmp/err")" -eq 1 ] || why="$why; $(wc -l < "$tmp/err") lines on stderr, not 1"
    head -n 1 "$tmp/err" | grep -q '^attnbench' || why="$why; not prefixed 'attnbench'"
    has_all "$tmp/err" "$want" || why="$why; no '$want' in the message"
    [ -z "$unwanted" ] || ! grep -qF -- "$unwanted" "$tmp/err" || why="$why; says '$unwanted'"
    [ "$(LC_ALL=C tr -d '\t\n\040-\176' < "$tmp/err" | wc -c)" -eq 0 ] ||
        why="$why; control or non-ASCII bytes in the message"
    [ ! -s "$tmp/out" ] || why="$why; $(wc -c < "$tmp/out") bytes on stdout"
    cmp -s "$tmp/before" "$tmp/after" ||
        why="$why; wrote: $(diff "$tmp/before" "$tmp/after" | sed -n 's/^[<>] //p' |
                            sed "s|$tmp/||" | awk '{ print $NF }' | sort -u | tr '\n' ' ')"
    unwanted=""
    msg=$(head -c 300 "$tmp/err" | tr '\n' ' ' | LC_ALL=C tr -c '\040-\176' '?')
    if [ -z "$why" ]; then
        ok "$name"
    else
        bad "$name (${why#; }: $msg)"
    fi
}

mkdir -p "$in" || exit 1

# A valid results directory, and a second one for merge.
small="--set head_dim=4 --set impls=naive --set peaks=off --set counters=none --set min_time_s=0"
if ! "$bin" run --set seq_len=8 $small --out "$in/good" > "$tmp/good.log" 2>&1 ||
   ! "$bin" run --set seq_len=16 $small --out "$in/good16" > "$tmp/good.log" 2>&1; then
    echo "bad_input.sh: the valid run failed:"; cat "$tmp/good.log"; exit 1
fi
good=$in/good
valid="--set seq_len=8 $small"   # a valid sweep, for rows about something else

# ---------------------------------------------------------------------------------------------
# 1. Configs
# shellcheck disable=SC2059  # the format is the content: its \n and \NNN escapes are the point
cfg() { printf "$2" > "$in/$1"; }
cfg us.ini '[swep]\nseq_len = 8\n'
cfg uk.ini '[sweep]\nseq_len = 8\nhead_dim = 4\nseq_lenn = 8\n'
cfg wsec.ini '[sweep]\nhead_dim = 4\n[measure]\nseq_len = 8\n'
cfg str.ini '[sweep]\nseq_len = 8\nhead_dim = four\n'
cfg real.ini '[sweep]\nseq_len = 1.5\nhead_dim = 4\n'
cfg bool.ini '[sweep]\nseq_len = 8\nhead_dim = 4\ncausal = maybe\n'
cfg dtype.ini '[sweep]\nseq_len = 8\nhead_dim = 4\ndtype = f32, fp16\n'
cfg minreps.ini '[sweep]\nseq_len = 8\nhead_dim = 4\n[measure]\nmin_reps = 2.5\n'
cfg neg.ini '[sweep]\nseq_len = -8\nhead_dim = 4\n'
cfg zero.ini '[sweep]\nseq_len = 8\nhead_dim = 0\n'
cfg zerothr.ini '[sweep]\nseq_len = 8\nhead_dim = 4\nthreads = 0\n'
cfg abs_seq.ini '[sweep]\nseq_len = 100000000000\nhead_dim = 4\n'
cfg abs_d.ini '[sweep]\nseq_len = 8\nhead_dim = 1000000\n'
cfg edge_seq.ini '[sweep]\nseq_len = 4194305\nhead_dim = 4\n'
cfg edge_d.ini '[sweep]\nseq_len = 8\nhead_dim = 4097\n'
cfg edge_h.ini '[sweep]\nseq_len = 8\nhead_dim = 4\nheads = 4097\n'
cfg edge_b.ini '[sweep]\nseq_len = 8\nhead_dim = 4\nbatch = 65537\n'
cfg huge.ini '[sweep]\nseq_len = 99999999999999999999\nhead_dim = 4\n'
cfg empty.ini '[sweep]\nseq_len = 8\nhead_dim = 4\nheads =\n'
cfg emptyent.ini '[sweep]\nseq_len = 8\nhead_dim = 4\nheads = 4,,8\n'
cfg twice.ini '[sweep]\nseq_len = 8\nhead_dim = 4\nseq_len = 16\n'
cfg twice2.ini '[sweep]\nseq_len = 8\n[sweep]\nhead_dim = 4\nseq_len = 16\n'
cfg repeat.ini '[sweep]\nseq_len = 8\nhead_dim = 4\nheads = 2,4,2\n'
cfg kv.ini '[sweep]\nseq_len = 8\nhead_dim = 4\nheads = 4\nkv_heads = 3\n'
cfg kv2.ini '[sweep]\nseq_len = 8\nhead_dim = 4\nheads = 4,6\nkv_heads = 5\n'
cfg before.ini 'seq_len = 8\n[sweep]\nhead_dim = 4\n'
cfg unterm.ini '[sweep\nseq_len = 8\nhead_dim = 4\n'
cfg trail.ini '[sweep] junk\nseq_len = 8\nhead_dim = 4\n'
cfg emptysec.ini '[sweep]\nseq_len = 8\nhead_dim = 4\n[mesure]\n'
cfg noeq.ini '[sweep]\nseq_len 8\nhead_dim = 4\n'
cfg noeq2.ini '[sweep]\nseq_len 8\nhead_dimm = 4\n'
cfg nosec.ini '[]\nseq_len = 8\nhead_dim = 4\n'
cfg cr.ini '[sweep]\rseq_len = 8\rhead_dim = 4\r'
cfg nothing.ini ''
cfg nohd.ini '[sweep]\nseq_len = 8\n'
cfg minmax.ini '[sweep]\nseq_len = 8\nhead_dim = 4\n[measure]\nmin_reps = 10\nmax_reps = 5\n'
cfg causal.ini '[sweep]\nseq_len = 8\nhead_dim = 4\ncausal = false, true\n'
cfg nul.ini '[sweep]\nseq_len = 8\n\001\002\377\376\000\033junk\n'
cfg ctl.ini '[sweep]\nseq_len = 8\nhead_dim = 4\n\033]0;title\007\377 = 1\n'
{ printf '[sweep]\nhead_dim = 4\nseq_len = '
  dd if=/dev/zero bs=1048576 count=10 2> /dev/null | tr '\0' 1; echo; } > "$in/10mb.ini"
{ printf '[sweep]\nhead_dim = 4\nseq_len = 8'; i=0
  while [ $i -lt 200 ]; do printf ',%d' $((i + 100)); i=$((i + 1)); done; echo; } > "$in/long.ini"
mkdir "$in/adir.ini"

row "config: unknown section, did you mean, at its header" \
    "us.ini:1: unknown section [swep] (did you mean 'sweep'?) (line: '[swep]')" \
    "$bin" run -c "$in/us.ini" --out out
row "config: unknown key, did you mean" \
    "uk.ini:4: unknown key 'seq_lenn' in [sweep] (did you mean 'seq_len'?)" \
    "$bin" run -c "$in/uk.ini" --out out
row "config: a key in the wrong section says where it belongs" \
    "wsec.ini:4: unknown key 'seq_len' in [measure] (it belongs in [sweep])" \
    "$bin" run -c "$in/wsec.ini" --out out
row "config: a string for an integer" "str.ini:3: [sweep] head_dim: 'four' is not an integer" \
    "$bin" run -c "$in/str.ini" --out out
row "config: 1.5 for an integer list" "real.ini:2: [sweep] seq_len: '1.5' is not an integer" \
    "$bin" run -c "$in/real.ini" --out out
row "config: 2.5 for an integer" "minreps.ini:5: [measure] min_reps: '2.5' is not an integer" \
    "$bin" run -c "$in/minreps.ini" --out out
row "config: a dtype there is not" "dtype.ini:4: [sweep] dtype: 'fp16' is not one of f32, bf16, f16" \
    "$bin" run -c "$in/dtype.ini" --out out
row "config: maybe for a boolean" "bool.ini:4: [sweep] causal: 'maybe' is not true or false" \
    "$bin" run -c "$in/bool.ini" --out out
row "config: negative size" "neg.ini:2: [sweep] seq_len: -8 is out of range [1, 4194304]" \
    "$bin" run -c "$in/neg.ini" --out out
row "config: zero size" "zero.ini:3: [sweep] head_dim: 0 is out of range [1, 4096]" \
    "$bin" run -c "$in/zero.ini" --out out
row "config: zero threads" "zerothr.ini:4: [sweep] threads: 0 is out of range [1, 1024]" \
    "$bin" run -c "$in/zerothr.ini" --out out
row "config: absurd seq_len" \
    "abs_seq.ini:2: [sweep] seq_len: 100000000000 is out of range [1, 4194304]" \
    "$bin" run -c "$in/abs_seq.ini" --out out
row "config: absurd head_dim" "abs_d.ini:3: [sweep] head_dim: 1000000 is out of range [1, 4096]" \
    "$bin" run -c "$in/abs_d.ini" --out out
row "config: seq_len one past the range" "edge_seq.ini:2: [sweep] seq_len: 4194305 is out of range" \
    "$bin" run -c "$in/edge_seq.ini" --out out
row "config: head_dim one past the range" "edge_d.ini:3: [sweep] head_dim: 4097 is out of range" \
    "$bin" run -c "$in/edge_d.ini" --out out
row "config: heads one past the range" "edge_h.ini:4: [sweep] heads: 4097 is out of range" \
    "$bin" run -c "$in/edge_h.ini" --out out
row "config: batch one past the range" "edge_b.ini:4: [sweep] batch: 65537 is out of range" \
    "$bin" run -c "$in/edge_b.ini" --out out
row "config: an integer past long's range is out of range, not 'not an integer'" \
    "huge.ini:2: [sweep] seq_len: '99999999999999999999' is out of range [1, 4194304]" \
    "$bin" run -c "$in/huge.ini" --out out
row "config: empty list" "empty.ini:4: [sweep] heads: empty list" \
    "$bin" run -c "$in/empty.ini" --out out
row "config: empty list entry" "emptyent.ini:4: [sweep] heads: empty entry in the list" \
    "$bin" run -c "$in/emptyent.ini" --out out
row "config: duplicate key" "twice.ini:4: [sweep] seq_len is set twice" \
    "$bin" run -c "$in/twice.ini" --out out
row "config: duplicate key in a second [sweep]" "twice2.ini:5: [sweep] seq_len is set twice" \
    "$bin" run -c "$in/twice2.ini" --out out
row "config: repeated list entry" "repeat.ini:4: [sweep] heads: '2' appears twice in the list" \
    "$bin" run -c "$in/repeat.ini" --out out
row "config: kv_heads divides no head count" \
    "kv.ini: the sweep has no cases*kv_heads=3 does not divide heads=4" \
    "$bin" run -c "$in/kv.ini" --out out
row "config: kv_heads divides none of several head counts" \
    "kv2.ini: the sweep has no cases (2 shapes left out*kv_heads=5 does not divide heads=" \
    "$bin" run -c "$in/kv2.ini" --out out
row "config: missing file" "$in/nope.ini: cannot read config: No such file or directory" \
    "$bin" run -c "$in/nope.ini" --out out
row "config: a directory" "adir.ini: is a directory, not a config file" \
    "$bin" run --config "$in/adir.ini" --out out
row "config: binary junk with a NUL" "nul.ini:3: binary data (a NUL byte); not a config file" \
    "$bin" run -c "$in/nul.ini" --out out
row "config: binary junk without a NUL is shown escaped" \
    "ctl.ini:4: unknown key '\\x1b]0;title\\x07\\xff' in [sweep] (line: '\\x1b]0;title\\x07\\xff = 1')" \
    "$bin" run -c "$in/ctl.ini" --out out
size=$(wc -c < "$in/10mb.ini" | tr -d ' ')
row "config: a 10 MB line" "10mb.ini: $size bytes is too large for a config file (limit 1 MiB)" \
    "$bin" run -c "$in/10mb.ini" --out out
row "config: a long line" "long.ini:3: line of *characters is too long (limit" \
    "$bin" run -c "$in/long.ini" --out out
row "config: a key before any section" "before.ini:1: 'seq_len' comes before any [section]" \
    "$bin" run -c "$in/before.ini" --out out
unwanted="comes before any [section]"
row "config: an unterminated section header" \
    "unterm.ini:1: unterminated section header (no ']') (line: '[sweep')" \
    "$bin" run -c "$in/unterm.ini" --out out
# (--list-cases: libinih accepts these two, and the check must not depend on running a sweep.)
row "config: text after a section header" \
    "trail.ini:1: text after the section header *(line: '[sweep] junk')" \
    "$bin" run -c "$in/trail.ini" --list-cases --out out
row "config: an unknown section with no keys" \
    "emptysec.ini:4: unknown section [mesure] (did you mean 'measure'?) (line: '[mesure]')" \
    "$bin" run -c "$in/emptysec.ini" --list-cases --out out
row "config: a line without =" "noeq.ini:2: not a 'key = value' line or a [section]" \
    "$bin" run -c "$in/noeq.ini" --out out
unwanted="head_dimm"
row "config: a line without =, then a bad key: the first line's own reason" \
    "noeq2.ini:2: not a 'key = value' line or a [section] (line: 'seq_len 8')" \
    "$bin" run -c "$in/noeq2.ini" --out out
unwanted="comes before any [section]"
row "config: an empty section name" "nosec.ini:1: unknown section [] (line: '[]')" \
    "$bin" run -c "$in/nosec.ini" --out out
# Old Mac line ends: libinih reads the file as one line, takes [sweep] and ignores the rest.
row "config: CR line ends" "cr.ini:1: text after the section header *'[sweep]\\x0dseq_len = 8" \
    "$bin" run -c "$in/cr.ini" --list-cases --out out
row "config: an empty file" "nothing.ini: [sweep] needs seq_len, or both seq_q and seq_kv" \
    "$bin" run -c "$in/nothing.ini" --out out
row "config: a required key missing" "nohd.ini: [sweep] needs head_dim" \
    "$bin" run -c "$in/nohd.ini" --out out
row "config: min_reps above max_reps, at both lines" \
    "minmax.ini:6: [measure] min_reps (10) is larger than max_reps (5)" \
    "$bin" run -c "$in/minmax.ini" --out out

# An absurd size inside the ranges (2^46 floats per tensor, 256 TiB) is no error: the case is
# a SKIP with the memory it needs and the memory there is, decided before anything is
# allocated, and the run goes on.
(cd "$tmp" && "$bin" run --set seq_len=4194304 --set head_dim=4096 --set heads=4096 $small \
     --out "$tmp/absurd") < /dev/null > "$tmp/absurd.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '^naive,.*,SKIP,"memory: needs .* for q, k, v, o, a second input set and the two double-precision references; .* available (' \
       "$tmp/absurd/results.csv"; then
    ok "config: an absurd size within the ranges is a SKIP with its reason"
else
    bad "config: an absurd size within the ranges (rc $rc: $(tail -n 3 "$tmp/absurd.log"))"
fi

# ---------------------------------------------------------------------------------------------
# 2. The command line
row "run: unknown flag" "attnbench run: unknown option '--bogus'" "$bin" run --bogus
row "list: unknown flag" "attnbench list: unknown option '--bogus'" "$bin" list --bogus
row "compare: unknown flag" "attnbench compare: unknown option '--bogus'" \
    "$bin" compare "$good" "$good" --bogus
row "merge: unknown flag" "attnbench merge: unknown option '--bogus'" \
    "$bin" merge out "$good" --bogus
row "gbench: unknown flag" "attnbench gbench: unknown option '--bogus'" \
    "$bin" gbench "$good" g.json --bogus
row "plots: unknown flag" "attnbench plots: unknown option '--bogus'" "$bin" plots "$good" --bogus
row "machine: unknown flag" "attnbench machine: unknown option '--bogus'" "$bin" machine --bogus
row "machine: an argument" "attnbench machine: unexpected argument 'x'" "$bin" machine x
row "list: an argument" "attnbench list: unexpected argument 'x'" "$bin" list x
for opt in --config -c --out -o --set --plugin --gbench; do
    row "run: $opt without its value" "attnbench run: $opt needs a value" "$bin" run $valid $opt
done
row "list: --plugin without its value" "attnbench list: --plugin needs a value" "$bin" list --plugin
for opt in --metric --alpha --threshold --format --plot; do
    row "compare: $opt without its value" "attnbench compare: $opt needs a value" \
        "$bin" compare "$good" "$good" $opt
done
row "plots: --scripts without its value" "attnbench plots: --scripts needs a directory" \
    "$bin" plots "$good" --scripts
row "run: --set with no =" "attnbench run: --set heads: expected KEY=LIST" \
    "$bin" run $valid --set heads --out out
row "run: --set of an unknown key, did you mean" \
    "--set seq_lem=4: unknown key 'seq_lem' (did you mean 'seq_len'?)" \
    "$bin" run $valid --set seq_lem=4 --out out
row "run: --set with an empty key" "--set =4: unknown key ''" "$bin" run $valid --set =4 --out out
pad=$(printf '%200s' '')
row "run: --set of a key too long is refused, not cut to a real key" \
    "key of 208 characters is too long (limit 127)" \
    "$bin" run $valid --set "seq_len${pad}x=4" --list-cases
row "run: --set of an unknown section, did you mean" \
    "--set swep.seq_len=4: unknown section [swep] (did you mean 'sweep'?)" \
    "$bin" run $valid --set swep.seq_len=4 --out out
row "run: --set of a key in the wrong section says where it belongs" \
    "--set measure.seq_len=4: unknown key 'seq_len' in [measure] (it belongs in [sweep])" \
    "$bin" run $valid --set measure.seq_len=4 --out out
row "run: --set of a bad value" "--set causal=maybe: [sweep] causal: 'maybe' is not true or false" \
    "$bin" run $valid --set causal=maybe --out out
row "run: --set of an unknown implementation, named as the --set" \
    "--set impls=nosuch: [sweep] impls: no implementation 'nosuch'" \
    "$bin" run $valid --set impls=nosuch --out out
row "run: causal with window_right, both places named" \
    "causal.ini:4 and --set window_right=2: [sweep] causal = true is window_right = 0" \
    "$bin" run -c "$in/causal.ini" --set window_right=2 --out out
# 506 spaces in a list: the value is 512 characters, one more than --set keeps.
pad=$(printf '%506s' '')
row "run: a --set value too long is refused, not cut (seq_len 8,1024 ran as 8,102)" \
    "--set seq_len=8, *...: [sweep] seq_len: value of 512 characters is too long (limit 511)" \
    "$bin" run $valid --set "seq_len=8,${pad}1024" --list-cases
ones=$(i=0; while [ $i -lt 600 ]; do printf '1,'; i=$((i + 1)); done)
row "run: a long --set value keeps the reason in the message" \
    "--set heads=1,1,*,1,...: [sweep] heads: '1' appears twice in the list" \
    "$bin" run $valid --set "heads=${ones}1" --out out
row "run: an argument that is no option" "attnbench run: unexpected argument 'stray'" "$bin" run $valid stray --out out
row "run: --out is a file" "attnbench run: *$in/good/results.json*Not a directory" \
    "$bin" run $valid --out "$in/good/results.json"
row "run: --gbench into a missing directory" "--gbench $in/no/g.json: cannot write" \
    "$bin" run $valid --gbench "$in/no/g.json" --out out
row "unknown subcommand" "attnbench: unknown command 'frobnicate'" "$bin" frobnicate
row "no subcommand" "attnbench: no command given" "$bin"
row "compare: one result" "give BASE and NEW" "$bin" compare "$good"
row "compare: three results" "too many results given ('$good')" \
    "$bin" compare "$good" "$good" "$good"
row "compare: a bad --alpha" "--alpha '2': give a probability" \
    "$bin" compare "$good" "$good" --alpha 2 --plot plot
row "compare: an ambiguous --threshold" "--threshold '10': give a fraction" \
    "$bin" compare "$good" "$good" --threshold 10 --plot plot
row "compare: an unknown --format" "--format 'xml': one of text, markdown, json" \
    "$bin" compare "$good" "$good" --format xml --plot plot
row "compare: an unknown --metric" "--metric bogus: not time" \
    "$bin" compare "$good" "$good" --metric bogus --plot plot
row "compare: --plot is a file" "--plot $in/good/results.json/x: Not a directory" \
    "$bin" compare "$good" "$good" --plot "$in/good/results.json/x"
row "merge: nothing to merge" "attnbench merge: no OUT directory and no results directory given" \
    "$bin" merge
row "merge: OUT only" "attnbench merge: no results directory given" "$bin" merge --pool out
row "merge: OUT already holds results" "$good already holds results" \
    "$bin" merge "$good" "$in/good16"
row "merge: a case in two directories" "is in more than one directory" \
    "$bin" merge out "$good" "$good"
row "gbench: no FILE" "attnbench gbench: usage: attnbench gbench DIR FILE" "$bin" gbench "$good"
row "gbench: three arguments" "attnbench gbench: unexpected argument 'x'" \
    "$bin" gbench "$good" g.json x
row "gbench: FILE in a missing directory" "cannot write no/g.json: No such file or directory" \
    "$bin" gbench "$good" no/g.json
row "plots: no directory" "attnbench plots: which results directory?" "$bin" plots
row "plots: two directories" "one results directory, not" "$bin" plots "$good" "$in/good16"

# ---------------------------------------------------------------------------------------------
# 3. Plugins, each for run and for list
echo 'not a shared object, only text long enough to be read as an ELF header, and then some' \
    > "$in/text.so"
mkdir "$in/dir.so"
plugin_rows() {   # name, expected text, plugin paths...
    pname=$1; pwant=$2; shift 2
    pargs=""
    for p in "$@"; do pargs="$pargs --plugin $p"; done
    row "run: plugin $pname" "attnbench run: --plugin $pwant" "$bin" run $valid $pargs --out out
    row "list: plugin $pname" "attnbench list: --plugin $pwant" "$bin" list $pargs
}
plugin_rows "not a shared object" "$in/text.so: cannot load: *invalid ELF header" "$in/text.so"
plugin_rows "missing" "$in/nope.so: cannot load: *No such file or directory" "$in/nope.so"
plugin_rows "a directory" "$in/dir.so: cannot load: *Is a directory" "$in/dir.so"
plugin_rows "without the symbol" \
    "$plug/no_symbol_plugin.so: no symbol attn_plugin_impls (is it an attnbench plugin?)" \
    "$plug/no_symbol_plugin.so"
plugin_rows "of another ABI" \
    "$plug/bad_abi_plugin.so: attn_plugin_impls(2) and attn_plugin_impls(1) returned NULL: the plugin speaks neither ABI this harness loads" \
    "$plug/bad_abi_plugin.so"
plugin_rows "with a NULL run" "$plug/null_run_plugin.so: implementation 0 ('null_run') has a NULL run" \
    "$plug/null_run_plugin.so"
plugin_rows "with an invalid name" \
    "$plug/bad_name_plugin.so: implementation 0 ('Bad Name') has an invalid name (want [a-z0-9_-]+" \
    "$plug/bad_name_plugin.so"
plugin_rows "with a NULL name" "$plug/null_name_plugin.so: implementation 0 has a NULL name" \
    "$plug/null_name_plugin.so"
plugin_rows "with a built-in's name" \
    "$plug/dup_plugin.so: implementation 0 ('naive') has a name already taken by a built-in implementation" \
    "$plug/dup_plugin.so"
plugin_rows "twins: two plugins, one name" \
    "$plug/twin_b_plugin.so: implementation 0 ('twin') has a name already taken by --plugin $plug/twin_a_plugin.so" \
    "$plug/twin_a_plugin.so" "$plug/twin_b_plugin.so"
plugin_rows "given twice" "$plug/twin_a_plugin.so: *is --plugin $plug/twin_a_plugin.so given twice?" \
    "$plug/twin_a_plugin.so" "$plug/twin_a_plugin.so"

# ---------------------------------------------------------------------------------------------
# 4. Results that compare, merge, gbench and plots read: each bad input as a file and as a
#    directory holding it as results.json.
head -c 600 "$good/results.json" > "$in/trunc.json"
echo 'hello, world' > "$in/text.json"
: > "$in/zero.json"
cp "$good/gbench.json" "$in/gbench.json"
echo '{}' > "$in/obj.json"
echo '[1, 2, 3]' > "$in/array.json"
sed 's/"format_version": 1/"format_version": 2/' "$good/results.json" > "$in/v2.json"
sed 's/"format_version": 1/"format_version": "1"/' "$good/results.json" > "$in/vstr.json"
sed 's/"status": "PASS"/"state": "PASS"/' "$good/results.json" > "$in/nostatus.json"
sed 's/"batch": 1,/"batch": 4294967297,/' "$good/results.json" > "$in/wrapbatch.json"
if ! grep -q '"format_version": 1' "$good/results.json" ||
   ! grep -q '"status": "PASS"' "$good/results.json"; then
    bad "fixtures: results.json no longer holds the strings the fixtures edit"
fi
mkdir "$in/noresults"
results_rows() {   # name, expected text (after the path), the file
    rname=$1; rwant=$2; f=$3
    d=$in/dir-$(basename "$f" .json)
    mkdir -p "$d" && cp "$f" "$d/results.json" && cp "$good/results.csv" "$d/results.csv"
    row "compare: NEW $rname" "attnbench compare: NEW $f: $rwant" \
        "$bin" compare "$good" "$f" --plot plot
    row "compare: BASE $rname, a directory" "attnbench compare: BASE $d/results.json: $rwant" \
        "$bin" compare "$d" "$good" --plot plot
    row "merge: $rname" "attnbench merge: $f: $rwant" "$bin" merge out "$in/good16" "$f"
    row "merge: $rname, a directory" "attnbench merge: $d/results.json: $rwant" \
        "$bin" merge out "$in/good16" "$d"
    row "merge --pool: $rname" "attnbench merge: $f: $rwant" "$bin" merge --pool out "$good" "$f"
    row "gbench: $rname" "attnbench gbench: $f: $rwant" "$bin" gbench "$f" g.json
    row "gbench: $rname, a directory" "attnbench gbench: $d/results.json: $rwant" \
        "$bin" gbench "$d" g.json
    row "plots: $rname, a directory" "attnbench plots: $d/results.json: $rwant" "$bin" plots "$d"
}
results_rows "truncated" "not a complete JSON document: line " "$in/trunc.json"
results_rows "not JSON" "not a complete JSON document: line 1 column " "$in/text.json"
results_rows "an empty file" "not a complete JSON document: line 1 column 0" "$in/zero.json"
results_rows "Google Benchmark JSON" 'not attnbench results (no "format": "attnbench-results")' \
    "$in/gbench.json"
results_rows "{}" 'not attnbench results (no "format": "attnbench-results")' "$in/obj.json"
results_rows "a JSON array" 'not attnbench results' "$in/array.json"
results_rows "another format_version" "format_version 2; this attnbench reads version 1" \
    "$in/v2.json"
results_rows "a format_version string" 'no integer "format_version"' "$in/vstr.json"
results_rows "a case without its status" \
    'case 1: field "status" is missing, has the wrong type or is out of range' "$in/nostatus.json"
results_rows "a case whose batch would wrap" \
    'case 1: field "batch" is missing, has the wrong type or is out of range' "$in/wrapbatch.json"
row "compare: a directory with no results.json" \
    "attnbench compare: NEW $in/noresults/results.json: No such file or directory" \
    "$bin" compare "$good" "$in/noresults" --plot plot
row "compare: a missing path" "attnbench compare: BASE $in/nothing: No such file or directory" \
    "$bin" compare "$in/nothing" "$good" --plot plot
row "compare: a device" "attnbench compare: NEW /dev/null: not a regular file" \
    "$bin" compare "$good" /dev/null --plot plot
row "merge: a directory with no results.json" \
    "attnbench merge: $in/noresults/results.json: No such file or directory" \
    "$bin" merge out "$good" "$in/noresults"
row "merge: a missing path" "attnbench merge: $in/nothing: No such file or directory" \
    "$bin" merge out "$good" "$in/nothing"
mkdir "$in/jsononly" && sed 's/"impl": "naive"/"impl": "naivf"/' "$good/results.json" \
    > "$in/jsononly/results.json"
row "merge: a directory without results.csv" \
    "attnbench merge: $in/jsononly/results.csv: No such file or directory" \
    "$bin" merge out "$good" "$in/jsononly"
mkdir "$in/cols" && cp "$in/good16/results.json" "$in/cols/" &&
    sed '1s/$/,extra/' "$in/good16/results.csv" > "$in/cols/results.csv"
row "merge: CSV columns that differ" \
    "attnbench merge: $in/cols/results.csv: its columns differ from $good/results.csv's" \
    "$bin" merge out "$good" "$in/cols"
row "gbench: a directory with no results.json" \
    "attnbench gbench: $in/noresults/results.json: No such file or directory" \
    "$bin" gbench "$in/noresults" g.json
row "gbench: a missing path" "attnbench gbench: $in/nothing: No such file or directory" \
    "$bin" gbench "$in/nothing" g.json
row "plots: a directory with no results.json" \
    "attnbench plots: $in/noresults/results.json: No such file or directory" \
    "$bin" plots "$in/noresults"
row "plots: a file, not a directory" "attnbench plots: $good/results.json: not a results directory" \
    "$bin" plots "$good/results.json"
row "plots: a missing path" "attnbench plots: $in/nothing: not a results directory" \
    "$bin" plots "$in/nothing"

finish
