#!/bin/sh
# docs.sh: the docs hold to the code. docs/results.md's column table is the one result_fields.h
# prints, and every relative link in README.md and docs/*.md leads to a file that exists.
set -eu
test_name=docs
. "$(dirname "$0")/test_lib.sh"
cd "$root"

check "docs/results.md's column table is result_fields.h's (else: scripts/docs-fields)" \
    "ATTNBENCH_BIN='$bin' scripts/docs-fields --check"
for page in README.md docs/*.md; do
    dir=$(dirname "$page")
    # [text](target) links; URLs and in-page anchors left out, a page link's anchor dropped.
    for target in $(grep -o '](\([^)#][^)]*\))' "$page" | sed 's/^](//; s/)$//; s/#.*//' |
                    grep -v '^[a-z][a-z]*:' | sort -u); do
        check "$page links to $target, which exists" "[ -e '$dir/$target' ]"
    done
done
finish
