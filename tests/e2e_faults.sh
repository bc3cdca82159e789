#!/bin/sh
# End-to-end tests of what the programs do when the system fails them: the disk refuses
# a directory in the middle of a rebuild (Xapian's compactor cannot create its copy, or
# the merge of a rebuild by parts cannot), and ICU's libraries cannot be loaded. The
# failures are made by tests/faults.c, preloaded (FAULTS_LIB). One line per check, then
#   e2e_faults: N passed, N failed
B=${B:-build}
INDEX_BIN="$B/polidex-index"
SEARCH_BIN="$B/polidex-search"
EXTRACT_BIN="$B/polidex-extract"
. tests/index_helpers.sh # doccount, dump, generate
FAULTS_LIB=${FAULTS_LIB:-$PWD/$B/tests/libfaults.so}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "     $2"; }

if [ ! -f "$FAULTS_LIB" ]; then
    not_ok "the fault library is built" "$FAULTS_LIB is missing (make builds it)"
    echo "e2e_faults: $passed passed, $failed failed"
    exit 1
fi
# faulty VAR=VALUE... PROGRAM ARGS...: runs the program with the fault library preloaded
# (ASan, when the program has it, would otherwise insist on coming first).
faulty() {
    env LD_PRELOAD="$FAULTS_LIB${LD_PRELOAD:+:$LD_PRELOAD}" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
}
# finds DB QUERY FILE: the query's results in DB include FILE (a no-match prints a line
# too, so the output being empty or not tells nothing).
finds() {
    "$SEARCH_BIN" -i "$1" -n 100 --json -- "$2" 2>/dev/null | grep -q "\"path\": \"[^\"]*/$3\""
}
# Whatever a rebuild of DB left beside it (DB.new-PID, its .compact and .part-K).
leftovers() { ls -d "$1".new-* 2>/dev/null; }

# A corpus large enough for a rebuild by two writers (64 files a part at least).
docs="$tmp/docs"
mkdir -p "$docs"
cp corpus/*.txt "$docs/"
generate "$docs/many" 150
# An old time: a file changed in the second the indexer reads it is stored as racy, which
# two builds would then not store alike.
find "$docs" -type f -exec touch -d '2020-01-02 03:04:05' {} +
ndocs=$(find "$docs" -type f | wc -l)

# Too few files to be split in parts by two writers (128 at least), and less than a part
# of one writer (16 MB): one database, then its compaction.
small="$tmp/small"
mkdir -p "$small"
cp corpus/*.txt "$small/"
generate "$small/many" 60
find "$small" -type f -exec touch -d '2020-01-02 03:04:05' {} +

# ---- the compactor cannot create its copy ---------------------------------------------
# A rebuild into one database compacts what it wrote; when that fails, the index it
# wrote is just as complete: it is synced and swapped in, and the run says so.
"$INDEX_BIN" -q -i "$tmp/good" --rebuild -j 1 "$docs" 2>"$tmp/err"
"$INDEX_BIN" -q -i "$tmp/goodsmall" --rebuild -j 1 "$small" 2>"$tmp/err"
faulty PDX_FAULT_MKDIR='*.compact' "$INDEX_BIN" -i "$tmp/nocompact" --rebuild -j 1 "$small" \
    >/dev/null 2>"$tmp/err"
rc=$?
dump "$tmp/good" >"$tmp/dump.good" 2>&1
dump "$tmp/goodsmall" >"$tmp/dump.goodsmall" 2>&1
dump "$tmp/nocompact" >"$tmp/dump.nocompact" 2>&1
if [ $rc -eq 0 ] &&
    grep -q "^polidex-index: [^ ]*/nocompact: not compacted (.*No space left on device); the index is complete all the same$" "$tmp/err" &&
    [ "$(doccount "$tmp/nocompact")" = 65 ] && cmp -s "$tmp/dump.goodsmall" "$tmp/dump.nocompact" &&
    [ "$(wc -l <"$tmp/dump.goodsmall")" -gt 1000 ] && [ -z "$(leftovers "$tmp/nocompact")" ] &&
    "$INDEX_BIN" -i "$tmp/nocompact" --check >/dev/null 2>&1; then
    ok "compaction fails: exit 0, says so, and the index is whole (same as a compacted one)"
else
    not_ok "compaction fails" "exit $rc; $(cat "$tmp/err"); $(diff "$tmp/dump.goodsmall" "$tmp/dump.nocompact" | head -n 3)"
fi

# ---- the merge of a rebuild by parts cannot create the new index ---------------------
# Nothing is lost: the old index stays as it was, nothing is left beside it, and the
# next rebuild works. Parts written at once (-j 2: merged into the new index) or one
# after the other (-j 1, a part every 20 KB here: merged into the compactor's copy).
cp -R "$tmp/good" "$tmp/kept"
printf 'Ajout\n\nUn document de plus sur la vaccination.\n' >"$docs/ajout.txt"
# And one writer that cannot start its next part: the same.
for case in 2 1 part; do
    j=$case pattern='*.new-+([0-9])' partsize="" what="cannot merge the parts of the rebuild"
    label="the merge of a rebuild by parts (-j $j) fails"
    [ $case = 1 ] && pattern='*.new-+([0-9]).compact' partsize="--part-size 0.02"
    if [ $case = part ]; then
        j=1 pattern='*.part-+([0-9])' partsize="--part-size 0.02"
        what="cannot write a part of the rebuild" label="a part of a one-writer rebuild cannot be created"
    fi
    faulty PDX_FAULT_MKDIR="$pattern" "$INDEX_BIN" -i "$tmp/kept" --rebuild -j $j $partsize \
        "$docs" >/dev/null 2>"$tmp/err"
    rc=$?
    dump "$tmp/kept" >"$tmp/dump.kept" 2>&1
    if [ $rc -eq 4 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
        grep -q "^polidex-index: [^ ]*/kept: $what: .*No space left on device$" "$tmp/err" &&
        cmp -s "$tmp/dump.good" "$tmp/dump.kept" && [ -z "$(leftovers "$tmp/kept")" ] &&
        "$INDEX_BIN" -i "$tmp/kept" --check >/dev/null 2>&1; then
        ok "$label: exit 4, one line, the old index untouched"
    else
        not_ok "$label" "exit $rc; $(cat "$tmp/err"); $(leftovers "$tmp/kept")"
    fi
done
"$INDEX_BIN" -q -i "$tmp/kept" --rebuild -j 2 "$docs" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && [ "$(doccount "$tmp/kept")" = $((ndocs + 1)) ] && [ -z "$(leftovers "$tmp/kept")" ] &&
    ok "after the failed merge, the next rebuild completes" ||
    not_ok "rebuild after a failed merge" "exit $rc; $(cat "$tmp/err")"

# ---- ICU cannot be loaded ------------------------------------------------------------
# polidex loads ICU only for text its own code does not cut: a query with other
# punctuation, a document in another script. Without ICU those fail alone.
noicu() { faulty PDX_FAULT_DLOPEN=libicu "$@"; }
noicu "$SEARCH_BIN" -i "$tmp/good" -n 3 "santé, OMS" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 5 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "^polidex-search: query 'santé, OMS': .*cannot load ICU: libicuuc" "$tmp/err" &&
    ok "no ICU: a query that needs it exits 5, naming the query and the library" ||
    not_ok "no ICU: search" "exit $rc; $(cat "$tmp/err")"
noicu "$SEARCH_BIN" -i "$tmp/good" -n 3 "l'OMS santé" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -q "OMS" "$tmp/out" && [ ! -s "$tmp/err" ] &&
    ok "no ICU: a plain-word query still answers" ||
    not_ok "no ICU: plain words" "exit $rc; $(cat "$tmp/err")"

# Both new files need ICU: one is in Japanese, and the other's full stop is punctuation
# that polidex's own word cutting leaves to ICU.
printf 'Note en japonais\n\n世界保健機関の報告書、保健政策について。\n' >"$docs/japonais.txt"
cp -R "$tmp/good" "$tmp/icu"
noicu "$INDEX_BIN" --json -i "$tmp/icu" "$docs" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 3 ] && [ "$(grep -c "cannot load ICU: libicuuc.*, skipped$" "$tmp/err")" = 2 ] &&
    grep -q "japonais.txt: " "$tmp/err" && grep -q "ajout.txt: " "$tmp/err" &&
    grep -q '"added": 0,' "$tmp/out" && grep -q '"skipped": 2,' "$tmp/out" &&
    [ "$(doccount "$tmp/icu")" = "$ndocs" ] && "$INDEX_BIN" -i "$tmp/icu" --check >/dev/null 2>&1; then
    ok "no ICU: the indexer skips the files that need it (exit 3, says why), the index intact"
else
    not_ok "no ICU: index" "exit $rc; $(cat "$tmp/err"); $(cat "$tmp/out")"
fi
"$INDEX_BIN" --json -i "$tmp/icu" "$docs" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -q '"added": 2,' "$tmp/out" && [ "$(doccount "$tmp/icu")" = $((ndocs + 2)) ] &&
    finds "$tmp/icu" "世界保健機関" japonais.txt && finds "$tmp/icu" vaccination ajout.txt &&
    ok "ICU back: the next run adds the skipped files" ||
    not_ok "ICU back" "exit $rc; $(cat "$tmp/err"); $(cat "$tmp/out")"

noicu "$EXTRACT_BIN" "$docs/japonais.txt" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 5 ] && grep -q "japonais.txt: .*cannot load ICU: libicuuc" "$tmp/err" &&
    ok "no ICU: polidex-extract exits 5, naming the file" ||
    not_ok "no ICU: extract" "exit $rc; $(cat "$tmp/err")"

# ---- io_uring refused -----------------------------------------------------------------
# A rebuild asks for the files it reads ahead in batches, through io_uring. Where that is
# refused from the start (an old kernel, a sandbox), or a ring stops taking submissions,
# each file is asked for on its own: the same index and the same messages, exit 0. (The
# files added above are given the old time too: just written, they would be racy.)
find "$docs" -type f -exec touch -d '2020-01-02 03:04:05' {} +
"$INDEX_BIN" -q -i "$tmp/uring-ref" --rebuild -j 1 "$docs" >/dev/null 2>"$tmp/uring-ref.err"
dump "$tmp/uring-ref" >"$tmp/uring-ref.dump"
for fault in setup enter; do
    for j in 0 1; do
        rm -f "$tmp/uring.log"
        faulty PDX_FAULT_IO_URING=$fault PDX_FAULT_LOG="$tmp/uring.log" \
            "$INDEX_BIN" -q -i "$tmp/uring-$fault$j" --rebuild -j $j "$docs" >/dev/null 2>"$tmp/err"
        rc=$?
        if [ $rc = 0 ] && [ -s "$tmp/uring.log" ] && cmp -s "$tmp/err" "$tmp/uring-ref.err" &&
            dump "$tmp/uring-$fault$j" | cmp -s - "$tmp/uring-ref.dump"; then
            ok "io_uring_$fault refused, --jobs $j: the same index and messages"
        else
            not_ok "io_uring_$fault refused, --jobs $j" \
                "exit $rc; $(wc -l <"$tmp/uring.log" 2>/dev/null || echo 0) refusals; $(tail -n 2 "$tmp/err")"
        fi
    done
done

echo "e2e_faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
