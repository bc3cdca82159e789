#!/bin/sh
# Runs every test program given as an argument (cmocka; a program named fuzz_NAME is a
# fuzz replay driver, run over tests/fuzz/seeds/NAME and tests/fuzz/crashers/NAME and
# counted by its "fuzz_NAME: N passed, N failed" line) and every tests/e2e_*.sh script,
# showing their output, then prints one summary line counting individual test cases:
#   tests: N passed, N failed
# A program or script that exits non-zero without reporting a failed case counts as
# one failure of its own, so a crash is never lost.
B=${B:-build}
export B
passed=0
failed=0
failed_names=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# count KIND: reads the last run's log and adds its cases to the totals.
count() {
    case $1 in
    cmocka)
        p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log" | tail -n 1)
        f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$log" | tail -n 1)
        ;;
    *)
        p=$(sed -n 's/^[a-z0-9_]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | tail -n 1)
        f=$(sed -n 's/^[a-z0-9_]*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | tail -n 1)
        ;;
    esac
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
}

run() {
    kind=$1
    shift
    echo "== $*"
    "$@" >"$log" 2>&1
    rc=$?
    cat "$log"
    before=$failed
    count "$kind"
    if [ $rc -ne 0 ]; then
        [ $failed -eq $before ] && failed=$((failed + 1))
        failed_names="$failed_names $*"
    fi
}

for t in "$@"; do
    case ${t##*/} in
    fuzz_*)
        n=${t##*/fuzz_}
        run script "$t" "tests/fuzz/seeds/$n" "tests/fuzz/crashers/$n"
        ;;
    *) run cmocka "$t" ;;
    esac
done
for s in tests/e2e_*.sh; do
    [ -f "$s" ] && run script sh "$s"
done
[ -n "$failed_names" ] && echo "failing:$failed_names"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
