#!/bin/sh
# End-to-end tests of polidex-index for archivists: incremental updates, --keep-missing,
# --dry-run, --rebuild (atomic, with searches running meanwhile), every kind of bad input
# (made here, in a temporary directory), the summary and its --json form, --status,
# --check, the lock message, version detection, and a loop that kills the indexer at
# random moments and checks the index each time. One line per check, then
#   e2e_index: N passed, N failed
B=${B:-build}
INDEX_BIN="$B/polidex-index"
SEARCH_BIN="$B/polidex-search"
. tests/index_helpers.sh # doccount, dump, generate
tmp=$(mktemp -d)
bgpids=""
cleanup() {
    for p in $bgpids; do kill -9 "$p" 2>/dev/null; done
    chmod -R u+rwx "$tmp" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "     $2"; }
# check NAME CONDITION-COMMAND... : ok when the command succeeds.
check() {
    name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name" "$(tail -n 5 "$tmp/err" 2>/dev/null)"; fi
}

# A number from a one-line JSON object: json_num FILE KEY
json_num() { sed -n "s/.*\"$2\": \([0-9][0-9]*\).*/\1/p" "$1" | head -n 1; }
# Runs the indexer with --json; stdout to $tmp/out, stderr to $tmp/err, status in $rc.
index() {
    "$INDEX_BIN" --json "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
# counts ADDED REPLACED REMOVED UNCHANGED SKIPPED: the last summary says exactly that.
counts() {
    [ "$(json_num "$tmp/out" added)" = "$1" ] && [ "$(json_num "$tmp/out" replaced)" = "$2" ] &&
        [ "$(json_num "$tmp/out" removed)" = "$3" ] &&
        [ "$(json_num "$tmp/out" unchanged)" = "$4" ] &&
        [ "$(json_num "$tmp/out" skipped)" = "$5" ]
}
got_counts() {
    echo "exit $rc; added $(json_num "$tmp/out" added) replaced $(json_num "$tmp/out" replaced)" \
        "removed $(json_num "$tmp/out" removed) unchanged $(json_num "$tmp/out" unchanged)" \
        "skipped $(json_num "$tmp/out" skipped); $(head -c 300 "$tmp/err")"
}
# expect_run NAME EXIT A R D U S: checks the last index run.
expect_run() {
    if [ "$rc" -eq "$2" ] && counts "$3" "$4" "$5" "$6" "$7"; then
        ok "$1"
    else
        not_ok "$1" "want exit $2; added $3 replaced $4 removed $5 unchanged $6 skipped $7 | got $(got_counts)"
    fi
}
# Number of documents matching QUERY in index DB (exact).
total() {
    "$SEARCH_BIN" -i "$1" --json --exact-count -n 1 -- "$2" 2>/dev/null |
        sed -n 's/.*"total": \([0-9]*\).*/\1/p'
}
# A French document with a unique word: mkdoc FILE WORD
mkdoc() {
    printf 'Document %s\n\nLe ministère de la Santé et la coopération hospitalière, %s.\nfincommun\n' \
        "$2" "$2" >"$1"
}
# A random integer in [0, $1).
rand() { echo $(($(od -An -N2 -tu2 /dev/urandom) % $1)); }
# ---- incremental updates ------------------------------------------------------------
db="$tmp/db"
t="$tmp/t"
mkdir -p "$t/sub"
for w in alpha beta gamma delta; do mkdoc "$t/$w.txt" "mot$w"; done
mkdoc "$t/sub/epsilon.txt" motepsilon
printf 'not indexed: not a .txt file\n' >"$t/notes.md"

index -i "$db" "$t"
expect_run "fresh index: 5 added, exit 0" 0 5 0 0 0 0
[ "$(total "$db" motbeta)" = 1 ] && ok "fresh index: a document is searchable" ||
    not_ok "fresh index: a document is searchable"

index -i "$db" "$t"
expect_run "re-run with no change: 5 unchanged, nothing else" 0 0 0 0 5 0

# Content changed (size too): replaced. Only touched: unchanged.
printf 'Une phrase ajoutée, motajout.\n' >>"$t/alpha.txt"
touch -d '2001-01-01 00:00:00' "$t/beta.txt"
index -i "$db" "$t"
expect_run "changed file replaced, touched file unchanged" 0 0 1 0 4 0
[ "$(total "$db" motajout)" = 1 ] && ok "the replaced document has its new text" ||
    not_ok "the replaced document has its new text"

# Same size, new content (a different mtime): the hash tells.
sed -i 's/motgamma/motkappa/' "$t/gamma.txt"
touch -d '2002-02-02 00:00:00' "$t/gamma.txt"
index -i "$db" "$t"
expect_run "same-size change detected by content hash" 0 0 1 0 4 0
[ "$(total "$db" motkappa)" = 1 ] && [ "$(total "$db" motgamma)" = 0 ] &&
    ok "the same-size change is searchable" || not_ok "the same-size change is searchable"

# An unchanged file costs a stat and a lookup: the second run reads no bytes at all.
sleep 0 # (files with old mtimes are trusted at once)
touch -d '2003-03-03 00:00:00' "$t"/*.txt "$t"/sub/*.txt
index -i "$db" "$t"
index -i "$db" "$t"
[ "$(json_num "$tmp/out" bytes_read)" = 0 ] && counts 0 0 0 5 0 &&
    ok "unchanged files are not read (bytes_read 0)" ||
    not_ok "unchanged files are not read" "$(cat "$tmp/out")"

mkdoc "$t/zeta.txt" motzeta
index -i "$db" "$t"
expect_run "new file added" 0 1 0 0 5 0

rm "$t/delta.txt"
index -i "$db" "$t"
expect_run "removed file's document removed" 0 0 0 1 5 0
[ "$(total "$db" motdelta)" = 0 ] && ok "the removed document is no longer found" ||
    not_ok "the removed document is no longer found"

rm "$t/zeta.txt"
index -i "$db" --keep-missing "$t"
expect_run "--keep-missing keeps the document of a removed file" 0 0 0 0 4 0
[ "$(total "$db" motzeta)" = 1 ] && ok "--keep-missing: still found" ||
    not_ok "--keep-missing: still found"

# Indexing another tree does not remove what was indexed from the first.
other="$tmp/other"
mkdir -p "$other"
mkdoc "$other/eta.txt" moteta
index -i "$db" "$other"
expect_run "indexing another path leaves the first path's documents" 0 1 0 0 0 0
[ "$(doccount "$db")" = 6 ] && ok "both paths' documents are in the index" ||
    not_ok "both paths' documents are in the index" "documents: $(doccount "$db")"

# A path that cannot be walked removes nothing (an unmounted disk is not a deletion).
index -i "$db" "$tmp/no-such-dir"
[ "$rc" -eq 3 ] && [ "$(doccount "$db")" = 6 ] && grep -q 'no-such-dir: cannot read' "$tmp/err" &&
    ok "a missing PATH is reported and removes nothing" ||
    not_ok "a missing PATH removes nothing" "exit $rc, documents $(doccount "$db"): $(cat "$tmp/err")"

# ---- dry run --------------------------------------------------------------------------
mkdoc "$t/theta.txt" mottheta
printf 'Encore une phrase, motdry.\n' >>"$t/beta.txt"
rm "$t/gamma.txt"
before=$(doccount "$db")
"$INDEX_BIN" -i "$db" --dry-run "$t" >"$tmp/out" 2>"$tmp/err"
rc=$?
grep -qx "add $t/theta.txt (UTF-8)" "$tmp/out" && grep -qx "replace $t/beta.txt (UTF-8)" "$tmp/out" &&
    grep -qx "remove $t/gamma.txt" "$tmp/out" && [ "$rc" -eq 0 ] &&
    ok "--dry-run says what would be added, replaced and removed" ||
    not_ok "--dry-run lists the changes" "$(cat "$tmp/out" "$tmp/err")"
[ "$(doccount "$db")" = "$before" ] && [ "$(total "$db" mottheta)" = 0 ] &&
    [ "$(total "$db" motkappa)" = 1 ] && ok "--dry-run changes nothing" ||
    not_ok "--dry-run changes nothing"
grep -q 'dry run, nothing changed' "$tmp/err" && ok "--dry-run summary says nothing changed" ||
    not_ok "--dry-run summary" "$(cat "$tmp/err")"
index -i "$db" "$t"
expect_run "the real run then does what the dry run said (zeta, kept before, goes too)" 0 1 1 2 2 0

# Removals come in path order, whatever order the documents were added in (b then a).
ord="$tmp/order"
mkdir -p "$ord"
ordb="$tmp/order.db"
mkdoc "$ord/b.txt" motordb
"$INDEX_BIN" -q -i "$ordb" "$ord"
mkdoc "$ord/a.txt" motorda
"$INDEX_BIN" -q -i "$ordb" "$ord"
rm "$ord/a.txt" "$ord/b.txt"
"$INDEX_BIN" -i "$ordb" --dry-run "$ord" >"$tmp/out" 2>"$tmp/err"
[ "$(grep '^remove ' "$tmp/out")" = "$(printf 'remove %s\nremove %s' "$ord/a.txt" "$ord/b.txt")" ] &&
    ok "removals are listed in path order" ||
    not_ok "removals are listed in path order" "$(cat "$tmp/out" "$tmp/err")"
"$INDEX_BIN" -v -i "$ordb" "$ord" >"$tmp/out" 2>"$tmp/err"
[ "$(grep -c 'removed (file gone)' "$tmp/err")" = 2 ] && [ "$(doccount "$ordb")" = 0 ] &&
    ok "both documents removed, each named" ||
    not_ok "both documents removed, each named" "$(cat "$tmp/err")"

# ---- summary, progress, exit codes ----------------------------------------------------
"$INDEX_BIN" -i "$db" "$t" >"$tmp/out" 2>"$tmp/err"
grep -q "^polidex-index: $db: 0 documents indexed (0 added, 0 replaced), 0 removed, 4 unchanged, 0 skipped; .* MB read in .* s (.* MB/s); 5 documents in the index$" "$tmp/err" &&
    [ ! -s "$tmp/out" ] && ok "summary line on stderr, nothing on stdout" ||
    not_ok "summary line" "$(cat "$tmp/out" "$tmp/err")"
tr -d '\n' <"$tmp/err" | grep -q "$(printf '\r')" && not_ok "no progress when stderr is not a terminal" ||
    ok "no progress when stderr is not a terminal"
if command -v script >/dev/null 2>&1; then
    mkdoc "$t/iota.txt" motiota
    script -qec "$INDEX_BIN -i $db $t" /dev/null >"$tmp/tty" 2>&1
    grep -q 'files, .* MB/s' "$tmp/tty" && ok "progress shown on a terminal" ||
        not_ok "progress shown on a terminal" "$(cat "$tmp/tty")"
    rm "$t/iota.txt"
    script -qec "$INDEX_BIN -q -i $db $t" /dev/null >"$tmp/tty" 2>&1
    [ ! -s "$tmp/tty" ] && ok "--quiet: silent on a terminal" || not_ok "--quiet: silent" "$(cat "$tmp/tty")"
fi
"$INDEX_BIN" -i "$db" --bogus "$t" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && tail -n 1 "$tmp/err" | grep -qx "try 'polidex-index --help'" &&
    ok "unknown option: exit 2, try --help" || not_ok "unknown option" "exit $rc: $(cat "$tmp/err")"
"$INDEX_BIN" -i "$db" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && ok "no PATH: exit 2" || not_ok "no PATH: exit 2"
"$INDEX_BIN" --help | grep -q -- '--keep-missing' && ok "--help lists the options" ||
    not_ok "--help lists the options"

# ---- every file accounted for -----------------------------------------------------------
bad="$tmp/bad"
bdb="$tmp/bdb"
mkdir -p "$bad"
printf '\357\273\277Titre avec BOM\nLa santé publique, motbom.\n' >"$bad/bom.txt"
printf 'Titre CRLF\r\nLes hôpitaux, motcrlf.\r\n' >"$bad/crlf.txt"
printf 'Titre CR seul\rLes hôpitaux, motcr.\rfin\r' >"$bad/cr.txt"
# UTF-16 with a BOM, both byte orders (iconv makes them; "Santé, motutfseize").
printf 'Santé publique\nLe ministère, motutfseizele.\n' | iconv -f UTF-8 -t UTF-16LE >"$tmp/u16"
{ printf '\377\376'; cat "$tmp/u16"; } >"$bad/utf16le.txt"
printf 'Santé publique\nLe ministère, motutfseizebe.\n' | iconv -f UTF-8 -t UTF-16BE >"$tmp/u16"
{ printf '\376\377'; cat "$tmp/u16"; } >"$bad/utf16be.txt"
printf 'Le ministère de la Santé et de la Prévention a signé une déclaration avec la Région, motlatin.\n' |
    iconv -f UTF-8 -t ISO-8859-1 >"$bad/latin1.txt"
printf 'Le ministère de la Santé a signé une déclaration d’intention pour l’œuvre commune, motwindows.\n' |
    iconv -f UTF-8 -t WINDOWS-1252 >"$bad/cp1252.txt"
printf 'Santé publique\000motnul\n' >"$bad/nul.txt"
printf 'La santé publique \303\251t\351 mal encodée, motinvalid.\n' >"$bad/invalid.txt"
printf '\001\002\003\004\005\006\007\016\017\020\021\022ELF binary' >"$bad/binary.txt"
: >"$bad/empty.txt"
printf '  \n\t\r\n' >"$bad/blank.txt"
ln -s "$tmp/nowhere.txt" "$bad/dangling.txt"
mkdir -p "$bad/loop"
ln -s .. "$bad/loop/up"
printf 'Un nom de fichier en Latin-1, motnom.\n' >"$bad/$(printf 'd\351cret.txt')"
head -c 1100000 /dev/zero | tr '\0' 'a' >"$bad/large.txt"
printf 'Titre lisible\nmotlisible\n' >"$bad/unreadable.txt"
chmod 000 "$bad/unreadable.txt"
can_lock_out=1
cat "$bad/unreadable.txt" >/dev/null 2>&1 && can_lock_out=0 # root reads anything

index -i "$bdb" --max-size 1 -v "$bad"
[ "$rc" -eq 3 ] && ok "bad inputs: exit 3 (some files skipped, the rest committed)" ||
    not_ok "bad inputs: exit 3" "exit $rc: $(cat "$tmp/err")"
expect_indexed() { # NAME WORD [ENCODING]
    if [ "$(total "$bdb" "$2")" = 1 ] && { [ -z "${3:-}" ] || grep -q "$3" "$tmp/err"; }; then
        ok "$1"
    else
        not_ok "$1" "$(grep -v skipped "$tmp/err" | head -n 20)"
    fi
}
expect_indexed "UTF-8 with a BOM indexed" motbom ": added (UTF-8 (BOM))"
expect_indexed "CRLF line endings indexed" motcrlf
expect_indexed "CR line endings indexed" motcr
expect_indexed "UTF-16LE with a BOM indexed" motutfseizele "utf16le.txt: added (UTF-16LE (BOM))"
expect_indexed "UTF-16BE with a BOM indexed" motutfseizebe "utf16be.txt: added (UTF-16BE (BOM))"
expect_indexed "Latin-1 detected and indexed" motlatin "latin1.txt: added (ISO-8859-1 (detected))"
expect_indexed "Windows-1252 detected and indexed" motwindows "cp1252.txt: added (windows-1252 (detected))"
[ "$(total "$bdb" ministere)" -ge 3 ] && [ "$(total "$bdb" '"pour l’œuvre commune"')" = 1 ] &&
    ok "converted text is searchable (accents, œ, ’)" || not_ok "converted text is searchable"
"$SEARCH_BIN" -i "$bdb" --json -- motcr | grep -q '"title": "Titre CR seul"' &&
    ok "CR-only file: the title is its first line" ||
    not_ok "CR-only title" "$("$SEARCH_BIN" -i "$bdb" --json -- motcr | head -c 400)"
"$SEARCH_BIN" -i "$bdb" --json -- motcrlf | grep -q '"title": "Titre CRLF"' &&
    ok "CRLF file: the title has no CR" || not_ok "CRLF title"
expect_skip() { # NAME PATTERN
    if grep -q "$2" "$tmp/err" && [ "$(grep -c "$2" "$tmp/err")" = 1 ]; then
        ok "$1"
    else
        not_ok "$1" "no line matching: $2 | $(grep skipped "$tmp/err")"
    fi
}
expect_skip "NUL byte: skipped with offset" "^polidex-index: $bad/nul.txt: binary file (NUL byte at byte 15), skipped$"
expect_skip "invalid UTF-8: skipped with offset" "^polidex-index: $bad/invalid.txt: invalid UTF-8 at byte 22 .*, skipped$"
expect_skip "binary file: skipped" "^polidex-index: $bad/binary.txt: binary file (control characters at byte 0), skipped$"
expect_skip "empty file: skipped" "^polidex-index: $bad/empty.txt: empty document (no text), skipped$"
expect_skip "blank file: skipped" "^polidex-index: $bad/blank.txt: empty document (no text), skipped$"
expect_skip "dangling link: skipped" "^polidex-index: $bad/dangling.txt: cannot read: No such file or directory, skipped$"
expect_skip "symlink loop: skipped" "^polidex-index: $bad/loop/up: directory loop through a symbolic link, skipped$"
expect_skip "non-UTF-8 file name: skipped, shown escaped" "^polidex-index: $bad/d\\\\xE9cret.txt: file name is not valid UTF-8 (rename the file), skipped$"
expect_skip "too large: skipped with the limit" "^polidex-index: $bad/large.txt: file too large (1100000 bytes, limit 1048576), skipped$"
if [ $can_lock_out -eq 1 ]; then
    expect_skip "unreadable file: skipped" "^polidex-index: $bad/unreadable.txt: cannot read: Permission denied, skipped$"
else
    expect_indexed "unreadable file (running as root: readable) indexed" motlisible
fi
[ "$(grep -c ', skipped$' "$tmp/err")" = "$(json_num "$tmp/out" skipped)" ] &&
    [ "$(json_num "$tmp/out" binary)" = 2 ] && [ "$(json_num "$tmp/out" empty)" = 2 ] &&
    [ "$(json_num "$tmp/out" encoding)" = 1 ] && [ "$(json_num "$tmp/out" bad_name)" = 1 ] &&
    [ "$(json_num "$tmp/out" symlink_loop)" = 1 ] && [ "$(json_num "$tmp/out" too_large)" = 1 ] &&
    ok "--json counts every skip by reason" || not_ok "--json skip counts" "$(cat "$tmp/out")"
grep -q '"skipped_files": \[{"path": ' "$tmp/out" && grep -q '"reason": "binary", "message": "binary file (NUL byte at byte 15)"' "$tmp/out" &&
    grep -q '"path": "[^"]*/d\\ufffdcret.txt"' "$tmp/out" && grep -q '"exit": 3}$' "$tmp/out" &&
    ok "--json lists skipped files (invalid names as U+FFFD)" || not_ok "--json skipped files" "$(cat "$tmp/out")"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok "--json prints one line" || not_ok "--json prints one line"
# A second run changes nothing and still reports every skip.
index -i "$bdb" --max-size 1 "$bad"
[ "$rc" -eq 3 ] && [ "$(json_num "$tmp/out" added)" = 0 ] && [ "$(json_num "$tmp/out" removed)" = 0 ] &&
    ok "bad inputs again: nothing added or removed, skips reported again" ||
    not_ok "bad inputs again" "$(got_counts)"

# ---- workers ----------------------------------------------------------------------------------
# Documents are read and analysed by --jobs threads while one thread writes: the index,
# the messages and their order must not depend on how many there are.
jdir="$tmp/jobs"
mkdir -p "$jdir"
cp -R "$bad" "$jdir/bad"
cp corpus/*.txt "$jdir/"
generate "$jdir/many" 300
find "$jdir" -type f -exec touch -d '2020-01-02 03:04:05' {} + # no racy modification times
chmod 000 "$jdir/bad/unreadable.txt"
# An update uses --jobs threads for one writer; a rebuild, as many writers at once, each
# on its own run of files (merged in order at the end), or with one writer, parts in turn
# (a new one every 20 KB here: about 15). The directory is named twice: each file is
# indexed once.
for run in "0 update" "1 update" "3 update" "0 rebuild" "1 rebuild" "2 rebuild" "3 rebuild" \
    "0 parts" "1 parts"; do
    set -- $run
    rm -rf "$tmp/jdb"
    mode=""
    [ $2 = rebuild ] && mode=--rebuild
    [ $2 = parts ] && mode="--rebuild --part-size 0.02"
    "$INDEX_BIN" -i "$tmp/jdb" $mode --max-size 1 -v -j $1 "$jdir" "$jdir/many" \
        >/dev/null 2>"$tmp/jerr$1$2"
    echo "exit $?" >>"$tmp/jerr$1$2"
    sed -i 's/[0-9.]* MB read in [0-9.]* s ([0-9.]* MB\/s)//' "$tmp/jerr$1$2"
    dump "$tmp/jdb" >"$tmp/jdump$1$2" 2>&1
    [ -z "$(ls -d "$tmp"/jdb.new-* 2>/dev/null)" ] || echo "left behind: $(ls -d "$tmp"/jdb.*)" >>"$tmp/jdump$1$2"
done
jdocs=$(doccount "$tmp/jdb")
same=1
for run in 1update 3update 0rebuild 1rebuild 2rebuild 3rebuild 0parts 1parts; do
    cmp -s "$tmp/jdump0update" "$tmp/jdump$run" || same=0
done
[ "$jdocs" = 313 ] && [ $same = 1 ] && [ "$(wc -l <"$tmp/jdump0update")" -gt 10000 ] &&
    ok "--jobs 0, 1, 2, 3, update, rebuild or rebuild in parts of 20 KB: the same index (every term, document, value, text)" ||
    not_ok "--jobs: same index" "$jdocs documents; $(diff "$tmp/jdump0update" "$tmp/jdump3rebuild" | head -n 5)"
# Files are read ahead of their turn by the walk (a rebuild on the walking thread) or by
# the workers (with --jobs 1 or more); an update without workers reads none ahead, and
# all must say the same things in the same order.
same=1
for run in 1update 3update 0rebuild 1rebuild 0parts 1parts; do
    cmp -s "$tmp/jerr0update" "$tmp/jerr$run" || same=0
done
for run in 2rebuild 3rebuild; do cmp -s "$tmp/jerr0rebuild" "$tmp/jerr$run" || same=0; done
[ $same = 1 ] && grep -q ', skipped$' "$tmp/jerr0update" && grep -q '^exit 3$' "$tmp/jerr0update" &&
    [ "$(grep -c 'jobs/many/d05/doc00299.txt: added' "$tmp/jerr3rebuild")" = 1 ] &&
    ok "--jobs 0, 1, 2 and 3, update or rebuild (reading ahead), say the same things in the same order" ||
    not_ok "--jobs: same messages" "$(diff "$tmp/jerr0update" "$tmp/jerr0rebuild" | head -n 3; diff "$tmp/jerr0rebuild" "$tmp/jerr3rebuild" | head -n 3)"
# Files opened ahead of their turn stay few whatever the number of workers: eight of
# them, queues of 128 files, and room for 48 descriptors in all (valgrind takes 10 of them).
rm -rf "$tmp/jdb"
(ulimit -n 48 && exec "$INDEX_BIN" -i "$tmp/jdb" -j 8 "$jdir/many") >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(doccount "$tmp/jdb")" = 300 ] &&
    ok "eight workers with 48 file descriptors: every file indexed" ||
    not_ok "eight workers, 48 descriptors" "$(tail -n 2 "$tmp/err")"
"$INDEX_BIN" -i "$tmp/jdbx" -j x "$jdir" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "^polidex-index: --jobs: 'x' is not a number from 0 to 64$" "$tmp/err" &&
    ok "--jobs x: usage error" || not_ok "--jobs x" "$(cat "$tmp/err")"
bad=""
for v in 0 -1 x 2MB nan 1e9; do
    "$INDEX_BIN" -i "$tmp/jdbx" --rebuild --part-size "$v" "$jdir" 2>"$tmp/err"
    [ $? -eq 2 ] && grep -q "^polidex-index: --part-size: '$v' is not a size in MB$" "$tmp/err" &&
        [ ! -e "$tmp/jdbx" ] || bad="$bad $v"
done
[ -z "$bad" ] && ok "--part-size 0, -1, x, 2MB, nan, 1e9: usage errors, nothing written" ||
    not_ok "--part-size usage errors" "$bad: $(cat "$tmp/err")"

# ---- --status and --check ------------------------------------------------------------------
"$INDEX_BIN" -i "$db" --status >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -q '^documents: *5$' "$tmp/out" && grep -q '^schema: ' "$tmp/out" &&
    grep -q '^analyzer: ' "$tmp/out" && grep -q '^last build: .*(update)$' "$tmp/out" &&
    grep -q '^size on disk: ' "$tmp/out" && grep -q '^institutions: ' "$tmp/out" &&
    ok "--status: documents, size, versions, last build" || not_ok "--status" "$(cat "$tmp/out" "$tmp/err")"
"$INDEX_BIN" -i "$db" --status --json >"$tmp/out"
[ "$(json_num "$tmp/out" documents)" = 5 ] && grep -q '"compatible": true' "$tmp/out" &&
    grep -q '"writer_pid": null}' "$tmp/out" && ok "--status --json" || not_ok "--status --json" "$(cat "$tmp/out")"
"$INDEX_BIN" -i "$tmp/none" --status >/dev/null 2>"$tmp/err"
[ $? -eq 4 ] && grep -q 'no index here' "$tmp/err" && ok "--status on a missing index: exit 4" ||
    not_ok "--status missing index"
"$INDEX_BIN" -i "$db" --check >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -q ': consistent: 5 documents' "$tmp/err" && ok "--check: consistent index, exit 0" ||
    not_ok "--check consistent" "exit $rc: $(cat "$tmp/err")"
rm "$t/theta.txt"
"$INDEX_BIN" -i "$db" --check >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && grep -q "$t/theta.txt: indexed, but the file is gone" "$tmp/err" &&
    ok "--check: a vanished source is reported, exit 3" || not_ok "--check vanished source" "exit $rc: $(cat "$tmp/err")"
cp -r "$db" "$tmp/damaged"
for f in "$tmp"/damaged/*.glass; do
    head -c "$(wc -c <"$f")" /dev/urandom >"$f"
done
"$INDEX_BIN" -i "$tmp/damaged" --check >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] && grep -q 'damaged' "$tmp/err" && ok "--check: a damaged index, exit 4" ||
    not_ok "--check damaged" "exit $rc: $(cat "$tmp/err")"

# ---- versions -------------------------------------------------------------------------------
if command -v xapian-metadata >/dev/null 2>&1; then
    cp -r "$db" "$tmp/old"
    xapian-metadata set "$tmp/old" polidex.analyzer 0
    index -i "$tmp/old" "$t"
    [ $rc -eq 4 ] && grep -q "built by analyzer version '0'.*run 'polidex-index --rebuild" "$tmp/err" &&
        ok "an index from another analyzer version: exit 4, says to rebuild" ||
        not_ok "version mismatch" "exit $rc: $(cat "$tmp/err")"
    "$INDEX_BIN" -i "$tmp/old" --status --json | grep -q '"compatible": false' &&
        ok "--status says the index is incompatible" || not_ok "--status incompatible"
    index -i "$tmp/old" --rebuild "$t"
    [ $rc -eq 0 ] && [ "$(xapian-metadata get "$tmp/old" polidex.analyzer)" != 0 ] &&
        ok "--rebuild replaces an incompatible index" || not_ok "--rebuild incompatible" "$(cat "$tmp/err")"
fi

# ---- rebuild --------------------------------------------------------------------------------
mkdir -p "$tmp/db.new-999999" "$tmp/db.new-999999.part-1"
: >"$tmp/db.new-999999/iamglass"
: >"$tmp/db.new-999999.part-1/iamglass" # a part of a rebuild by parts, killed
index -i "$db" --rebuild "$t"
[ $rc -eq 0 ] && [ "$(doccount "$db")" = 3 ] && [ "$(json_num "$tmp/out" added)" = 3 ] &&
    ok "--rebuild: a fresh index with the current files only" || not_ok "--rebuild" "$(got_counts)"
[ ! -e "$tmp/db.new-999999" ] && [ -z "$(ls -d "$tmp"/db.new-* 2>/dev/null)" ] &&
    ok "--rebuild leaves no temporary index, removes an interrupted one's" ||
    not_ok "--rebuild temporary directories" "$(ls "$tmp")"
mkdir -p "$tmp/precious"
echo keep >"$tmp/precious/file"
index -i "$tmp/precious" --rebuild "$t"
[ $rc -eq 4 ] && [ -f "$tmp/precious/file" ] && grep -q 'is not a polidex index; not replacing it' "$tmp/err" &&
    ok "--rebuild refuses to replace a directory that is not an index" || not_ok "--rebuild refuses" "$(cat "$tmp/err")"

# Searches during a rebuild keep getting answers from the old index.
big="$tmp/big"
bigdb="$tmp/bigdb"
generate "$big" 2000
"$INDEX_BIN" -q -i "$bigdb" "$big" 2>"$tmp/err"
"$INDEX_BIN" -q -i "$bigdb" --rebuild "$big" 2>"$tmp/err" &
rpid=$!
bgpids="$bgpids $rpid"
searches=0
bad_searches=0
while kill -0 $rpid 2>/dev/null; do
    n=$(total "$bigdb" debutcommun)
    searches=$((searches + 1))
    [ "$n" = 2000 ] || bad_searches=$((bad_searches + 1))
done
wait $rpid
rrc=$?
[ $rrc -eq 0 ] && [ $searches -ge 2 ] && [ $bad_searches -eq 0 ] && [ "$(total "$bigdb" debutcommun)" = 2000 ] &&
    ok "searches during --rebuild all answered ($searches searches)" ||
    not_ok "searches during --rebuild" "rebuild exit $rrc, $searches searches, $bad_searches wrong"

# ---- the lock --------------------------------------------------------------------------------
ldb="$tmp/ldb"
"$INDEX_BIN" -q -i "$ldb" "$big" 2>/dev/null &
wpid=$!
bgpids="$bgpids $wpid"
i=0
while [ ! -f "$ldb/polidex.writer" ] && [ $i -lt 500 ] && kill -0 $wpid 2>/dev/null; do
    sleep 0.01
    i=$((i + 1))
done
kill -STOP $wpid 2>/dev/null
if [ -f "$ldb/polidex.writer" ]; then
    "$INDEX_BIN" -i "$ldb" "$t" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 4 ] && grep -qx "polidex-index: $ldb: locked by another writer (polidex-index, pid $wpid); try again when it has finished" "$tmp/err" &&
        ok "a second writer: exit 4, names the index and the holder's pid" ||
        not_ok "lock message" "exit $rc: $(cat "$tmp/err")"
    "$INDEX_BIN" -i "$ldb" --rebuild "$t" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 4 ] && grep -q "locked by another writer (polidex-index, pid $wpid)" "$tmp/err" &&
        [ -z "$(ls -d "$ldb".new-* 2>/dev/null)" ] && ok "--rebuild while another writer runs: exit 4" ||
        not_ok "--rebuild while locked" "exit $rc: $(cat "$tmp/err")"
    "$INDEX_BIN" -i "$ldb" --status --json | grep -q "\"writer_pid\": $wpid}" &&
        ok "--status names the running writer" || not_ok "--status writer"
else
    not_ok "a second writer: the first one never took the lock"
fi
kill -9 $wpid 2>/dev/null
kill -CONT $wpid 2>/dev/null
wait $wpid 2>/dev/null
# Its pid file is stale now: the next writer must neither believe it nor fail.
sleep 0.1
index -i "$ldb" "$big"
[ $rc -eq 0 ] && [ "$(doccount "$ldb")" = 2000 ] && [ ! -f "$ldb/polidex.writer" ] &&
    ok "after the writer was killed: the next run completes, pid file gone" ||
    not_ok "after a killed writer" "exit $rc: $(cat "$tmp/err")"

# ---- kill -9 at random moments ---------------------------------------------------------------
kdb="$tmp/kdb"
ktree="$tmp/ktree"
generate "$ktree" 1000
files=1000
kill_ok=0
kill_fail=""
iter=0
while [ $iter -lt 15 ]; do
    iter=$((iter + 1))
    mode=""
    case $((iter % 3)) in
    0) mode=--rebuild ;;
    1) rm -rf "$kdb" ;;
    2) # change some files so that an update has work to do
        for k in 1 2 3 4 5 6 7 8; do
            f=$(printf '%s/d%02d/doc%05d.txt' "$ktree" $((k * 2)) $((k * 2 * 50 + iter)))
            printf 'Ajout %d, motajout.\n' $iter >>"$f"
        done ;;
    esac
    before=$(doccount "$kdb")
    # -j 2: a rebuild by two writers (parts), an update with two analysis threads, on any
    # machine
    "$INDEX_BIN" -q -i "$kdb" $mode -j 2 "$ktree" 2>/dev/null &
    kpid=$!
    sleep "0.$(printf "%02d" "$(rand 40)")"
    kill -9 $kpid 2>/dev/null
    wait $kpid 2>/dev/null
    problem=""
    if [ -e "$kdb" ]; then
        "$INDEX_BIN" -i "$kdb" --check >/dev/null 2>"$tmp/err"
        crc=$?
        { [ $crc -eq 0 ] || [ $crc -eq 3 ]; } && grep -q ': consistent' "$tmp/err" ||
            problem="--check exit $crc: $(tail -n 2 "$tmp/err")"
        n=$(doccount "$kdb")
        first=$(total "$kdb" debutcommun)
        last=$(total "$kdb" fincommun)
        [ -n "$n" ] && [ "$first" = "$n" ] && [ "$last" = "$n" ] ||
            problem="$problem; half-indexed: $n documents, $first with the first word, $last with the last"
        [ "$mode" = --rebuild ] && [ -n "$before" ] && [ "$n" != "$before" ] && [ "$n" != $files ] &&
            problem="$problem; interrupted rebuild changed the old index ($before -> $n)"
    fi
    "$INDEX_BIN" -q -i "$kdb" "$ktree" 2>"$tmp/err"
    rrc=$?
    [ $rrc -eq 0 ] && [ "$(doccount "$kdb")" = $files ] && [ "$(total "$kdb" fincommun)" = $files ] ||
        problem="$problem; re-run exit $rrc, $(doccount "$kdb") documents: $(head -c 200 "$tmp/err")"
    "$INDEX_BIN" -i "$kdb" --check >/dev/null 2>"$tmp/err" || problem="$problem; --check after re-run: $(cat "$tmp/err")"
    if [ -z "$problem" ]; then
        kill_ok=$((kill_ok + 1))
    else
        kill_fail="$kill_fail [iteration $iter $mode: $problem]"
    fi
done
[ -z "$kill_fail" ] && [ -z "$(ls -d "$kdb".new-* 2>/dev/null)" ] &&
    ok "kill -9 at random moments: $kill_ok/15 times the index opened, checked, held whole documents, and the re-run completed" ||
    not_ok "kill -9 loop" "$kill_fail $(ls -la "$kdb".new-* 2>/dev/null)"

echo "e2e_index: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
