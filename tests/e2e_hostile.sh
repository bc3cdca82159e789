#!/bin/sh
# End-to-end tests on hostile input, made by the test itself in a temporary directory:
# invalid UTF-8 of every kind, NUL bytes, binary files, zero-width and bidi controls,
# combining-mark floods, 1 MB without a space, CRLF and BOM, through polidex-index and
# polidex-extract; and hostile queries through polidex-search. Each case asserts the exact
# outcome: indexed and findable, or skipped with one diagnostic line (program: path:
# reason, skipped) and the documented exit code (0 ok, 1 no match, 2 usage or query
# error, 3 bad input data, 4 index or I/O, 5 internal).
#
# Not covered here because encoding detection is being written (issue 5): Windows-1252
# and Latin-1 files, UTF-16 with a BOM, and files mixing encodings.
#
# The programs run as "$RUN_WRAPPER $B/polidex-…" (RUN_WRAPPER is empty by default;
# `make valgrind` uses wrapper scripts in B=build/valgrind instead).
B=${B:-build}
INDEX_BIN="$B/polidex-index"
SEARCH_BIN="$B/polidex-search"
EXTRACT_BIN="$B/polidex-extract"
W=${RUN_WRAPPER:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "     $2"; }
check() { # check NAME CONDITION-STATUS DETAIL
    if [ "$2" -eq 0 ]; then ok "$1"; else not_ok "$1" "$3"; fi
}

# A UTF-8 French prefix long enough that a charset detector has no doubt about it.
prefix() {
    printf 'Titre du document\nLa sant\303\251 publique \303\240 l\342\200\231h\303\264pital '
    printf '\302\253 europ\303\251en \302\273 : '
}
PREFIX_LEN=$(prefix | wc -c)

# ---- files that must be skipped --------------------------------------------------------
# expect_skip NAME FILE REASON: polidex-index alone on FILE exits 3 with exactly one line
# about FILE, "polidex-index: FILE: REASON…, skipped"; polidex-extract exits 3 with
# exactly "polidex-extract: FILE: REASON…, skipped" on stderr and nothing on stdout.
expect_skip() {
    name=$1 file=$2 reason=$3
    $W "$INDEX_BIN" -i "$tmp/skip.db" "$file" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(grep -cF "$file" "$tmp/err")
    if [ $rc -eq 3 ] && [ "$lines" -eq 1 ] &&
        grep -q "^polidex-index: $file: $reason.*, skipped\$" "$tmp/err"; then
        ok "index: $name: skipped, exit 3"
    else
        not_ok "index: $name: skipped, exit 3" "exit $rc: $(cat "$tmp/err")"
    fi
    rm -rf "$tmp/skip.db"
    $W "$EXTRACT_BIN" "$file" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 3 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
        grep -q "^polidex-extract: $file: $reason.*, skipped\$" "$tmp/err"; then
        ok "extract: $name: skipped, exit 3"
    else
        not_ok "extract: $name: skipped, exit 3" "exit $rc: $(head -c 300 "$tmp/err")"
    fi
}

# bad NAME BYTES [SUFFIX]: a file of prefix + BYTES (printf octal escapes) + SUFFIX whose
# first invalid byte is at PREFIX_LEN.
bad() {
    { prefix; printf "$2"; printf "${3:-}"; } >"$tmp/$1.txt"
    expect_skip "$1" "$tmp/$1.txt" "invalid UTF-8 at byte $PREFIX_LEN"
}
bad overlong-2 '\300\257' ' fin\n'         # '/' as C0 AF
bad overlong-3 '\340\200\257' ' fin\n'     # '/' in three bytes
bad overlong-4 '\360\200\200\257' ' fin\n' # '/' in four bytes
bad overlong-nul '\300\200' ' fin\n'       # NUL as C0 80 (Java's modified UTF-8)
bad surrogate-high '\355\240\200' ' fin\n' # U+D800
bad surrogate-low '\355\277\277' ' fin\n'  # U+DFFF
bad surrogate-pair '\355\240\275\355\270\200' ' fin\n' # CESU-8 of U+1F600
bad above-max '\364\220\200\200' ' fin\n'  # U+110000
bad truncated-eof '\342\200'               # ’ cut at the end of the file
bad truncated-2 '\303' ' fin\n'            # é without its second byte
bad truncated-3 '\342\200' ' fin\n'        # ’ without its third byte
bad truncated-4 '\360\237\230' ' fin\n'    # an emoji without its fourth byte
bad lone-continuation '\200' ' fin\n'
bad byte-ff '\377' ' fin\n'
bad byte-f8 '\370\210\200\200\200' ' fin\n' # a 5-byte form

{ prefix; printf 'avant\000apr\303\250s\n'; } >"$tmp/nul.txt"
expect_skip "NUL byte in text" "$tmp/nul.txt" "binary file"
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\001\000\000\000\001\000\010\006' >"$tmp/png.txt"
head -c 3000 corpus/000_*.txt >>"$tmp/png.txt"
expect_skip "binary file (PNG header)" "$tmp/png.txt" "binary file"
gzip -n -c corpus/001_*.txt >"$tmp/gzip.txt"
expect_skip "binary file (gzip stream)" "$tmp/gzip.txt" "binary file"
printf '' >"$tmp/empty.txt"
expect_skip_index_only() {
    $W "$INDEX_BIN" -i "$tmp/skip.db" "$2" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 3 ] && [ "$(grep -cF "$2" "$tmp/err")" -eq 1 ] &&
        grep -q "^polidex-index: $2: $3.*, skipped\$" "$tmp/err"
    check "index: $1: skipped, exit 3" $? "exit $rc: $(cat "$tmp/err")"
    rm -rf "$tmp/skip.db"
}
expect_skip_index_only "empty file" "$tmp/empty.txt" "empty"
printf ' \r\n\t\n  \n' >"$tmp/blank.txt"
expect_skip_index_only "white space only" "$tmp/blank.txt" "empty"

# ---- files that must be indexed and found ----------------------------------------------
db="$tmp/good.db"
good="$tmp/good"
mkdir "$good"
# Invisible characters: a soft hyphen and a word joiner inside words, a zero-width joiner
# inside a name, bidi embeddings and isolates around acronyms, a BOM-as-ZWNBSP inside a
# word; a zero-width space separates words, as Unicode says it does.
printf 'Caract\303\250res invisibles\nLe sout\302\255ien de l\342\200\231h\303\264pi\302\255tal, ' >"$good/invisible.txt"
printf 'Kazakh\342\200\215stan, \342\200\253OMS\342\200\254 et \342\201\246AP-HP\342\201\251, ' >>"$good/invisible.txt"
printf '\303\251pid\342\201\240\303\251mie, pr\357\273\277imaire, coop\303\251ration\342\200\213bilat\303\251rale.\n' >>"$good/invisible.txt"
# A combining-mark flood: one e with 5,000 acute accents, then ordinary words.
{
    printf 'Diacritiques en masse\nsante'
    i=0
    while [ $i -lt 500 ]; do
        printf '\314\201\314\201\314\201\314\201\314\201\314\201\314\201\314\201\314\201\314\201'
        i=$((i + 1))
    done
    printf ' mentale au Kazakhstan\n'
} >"$good/marks.txt"
# 1 MB without a space (ASCII), and 1 MB of é without a space, each followed by words.
{
    printf 'Sans espace\n'
    head -c 1048576 /dev/zero | tr '\000' 'a'
    printf '\nla t\303\251l\303\251m\303\251decine fin\n'
} >"$good/nospace.txt"
{
    printf 'Sans espace accentu\303\251\n'
    head -c 524288 /dev/zero | tr '\000' 'x' | LC_ALL=C sed 's/x/é/g'
    printf '\nvaccination fin\n'
} >"$good/nospace-e.txt"
printf 'Fins de ligne Windows\r\nLa pharmacop\303\251e du Kazakhstan.\r\n' >"$good/crlf.txt"
printf '\357\273\277Marque d\342\200\231ordre\nLa n\303\251phrologie.\n' >"$good/bom.txt"

$W "$INDEX_BIN" -i "$db" "$good" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ! grep -q ', skipped$' "$tmp/err"
check "index: hostile but valid documents: exit 0" $? "exit $rc: $(cat "$tmp/err")"

found() { # found QUERY: the basenames of the documents it returns, sorted
    $W "$SEARCH_BIN" -i "$db" -n 100 --json -- "$1" 2>/dev/null |
        grep -o '"path": "[^"]*"' | sed 's/"path": "//; s/"$//; s|.*/||' | sort | tr '\n' ' '
}
expect_found() { # expect_found NAME QUERY "expected basenames "
    got=$(found "$2")
    [ "$got" = "$3" ]
    check "$1" $? "query: $2 | expected: $3| got: $got"
}
expect_found "soft hyphens are invisible: hôpital" "hôpital" "invisible.txt "
expect_found "soft hyphens are invisible: soutien" "soutien" "invisible.txt "
expect_found "a zero-width joiner is invisible: kazakhstan" "kazakhstan" \
    "crlf.txt invisible.txt marks.txt "
expect_found "bidi embedding around OMS" "OMS" "invisible.txt "
expect_found "bidi isolates around AP-HP" "APHP" "invisible.txt "
expect_found "a word joiner is invisible: épidémie" "épidémie" "invisible.txt "
expect_found "a zero-width no-break space is invisible: primaire" "primaire" "invisible.txt "
expect_found "a zero-width space separates words" "bilatérale" "invisible.txt "
expect_found "combining-mark flood: santé" '"santé"' "marks.txt "
expect_found "combining-mark flood: the words after it" "mentale" "marks.txt "
expect_found "1 MB without a space: the words after it" "télémédecine" "nospace.txt "
a200=$(head -c 200 /dev/zero | tr '\000' 'a')
expect_found "1 MB without a space: the long word, truncated alike on both sides" \
    "$a200" "nospace.txt "
expect_found "1 MB of é without a space: the words after it" "vaccination" "nospace-e.txt "
expect_found "CRLF text" "pharmacopée" "crlf.txt "
expect_found "UTF-8 BOM text" "néphrologie" "bom.txt "
title() { # title BASENAME-QUERY: the title of the single result
    $W "$SEARCH_BIN" -i "$db" --json -- "$1" 2>/dev/null | grep -o '"title": "[^"]*"' | head -n 1
}
[ "$(title pharmacopée)" = '"title": "Fins de ligne Windows"' ]
check "CRLF: the title has no CR" $? "$(title pharmacopée)"
[ "$(title néphrologie)" = '"title": "Marque d’ordre"' ]
check "BOM: the title has no BOM" $? "$(title néphrologie)"

# polidex-extract on the same files: exit 0, one JSON object each; spans of the acronyms
# wrapped in bidi controls cover the acronym only.
$W "$EXTRACT_BIN" "$good"/*.txt >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 6 ] && [ ! -s "$tmp/err" ]
check "extract: hostile but valid documents: exit 0, six objects" $? \
    "exit $rc: $(head -c 300 "$tmp/err")"
grep -q '"text":"OMS","id":"oms"' "$tmp/out" && grep -q '"text":"AP-HP","id":"aphp"' "$tmp/out"
check "extract: OMS and AP-HP inside bidi controls, spans without them" $? \
    "$(grep invisible "$tmp/out" | head -c 400)"

# A directory mixing good and bad files: the bad ones are skipped, one line each, the
# run goes on, exit 3, and the good ones are found.
mix="$tmp/mix"
mkdir "$mix"
cp "$tmp/overlong-2.txt" "$tmp/nul.txt" "$tmp/gzip.txt" "$good/crlf.txt" "$good/bom.txt" "$mix/"
$W "$INDEX_BIN" -i "$tmp/mix.db" "$mix" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && [ "$(grep -c ', skipped$' "$tmp/err")" -eq 3 ]
check "index: a directory with 3 bad files of 5: exit 3, 3 lines" $? \
    "exit $rc: $(cat "$tmp/err")"
db="$tmp/mix.db"
expect_found "index: the good files of that directory are found" "pharmacopée OR néphrologie" \
    "bom.txt crlf.txt "

# ---- hostile queries -------------------------------------------------------------------
db="$tmp/corpus.db"
$W "$INDEX_BIN" -i "$db" corpus >/dev/null 2>&1 || not_ok "index corpus for queries"
# query_error NAME QUERY MESSAGE: exit 2, nothing on stdout, exactly two lines on stderr:
# "polidex-search: query '…': MESSAGE" (a long query cut: "query '…' (N bytes): MESSAGE",
# the line under 400 bytes) and "try 'polidex-search --help'".
query_error() {
    $W "$SEARCH_BIN" -i "$db" -- "$2" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    first=$(head -n 1 "$tmp/err")
    [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 2 ] &&
        case $first in "polidex-search: query '"*"': $3" | "polidex-search: query '"*"…' ("*" bytes): $3") true ;; *) false ;; esac &&
        [ ${#first} -lt 400 ] &&
        [ "$(tail -n 1 "$tmp/err")" = "try 'polidex-search --help'" ]
    check "query: $1: exit 2, one-line message" $? "exit $rc: $(head -c 300 "$tmp/err")"
}
query_rc() { # query_rc NAME QUERY RC
    $W "$SEARCH_BIN" -i "$db" -- "$2" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq "$3" ] && [ ! -s "$tmp/err" ]
    check "query: $1: exit $3" $? "exit $rc: $(head -c 300 "$tmp/err")"
}
query_error "unbalanced (" "(santé" "unbalanced parenthesis at byte 0"
query_error "unbalanced )" "santé)" "unbalanced parenthesis at byte 6"
query_error "unbalanced nested (" "((santé) OMS" "unbalanced parenthesis at byte 0"
query_error 'unbalanced "' '"santé' "unbalanced quote at byte 0"
query_error 'unbalanced " after a field' 'title:"santé' "unbalanced quote at byte 6"
query_error "empty phrase" '""' "nothing to search for"
query_error "OR alone" "OR" "OR at byte 0 needs a word on each side"
query_error "OR at the end" "santé OR" "OR at byte 7 needs a word on each side"
query_error "NEAR alone" "NEAR/5" "NEAR needs a word on each side"
query_error "NEAR/n out of range" "santé NEAR/999999999999 OMS" \
    "'NEAR/999999999999': NEAR/n needs a number from 1 to 1000"
query_error "- alone" "-" "nothing to search for"
query_error "+ alone" "+" "nothing to search for"
query_error "* alone" "*" "'*' alone: a wildcard needs letters before it"
for f in title institution pillar date path; do
    query_error "field $f: without a value" "$f:" "field '$f:' needs a value"
done
query_error "field without a value, then a word" "title: santé" "field 'title:' needs a value"
query_error "unknown field" "foo:bar" \
    "unknown field 'foo:' (fields: title: institution: pillar: date: path:)"
open=$(head -c 1000 /dev/zero | tr '\000' '(')
close=$(head -c 1000 /dev/zero | tr '\000' ')')
query_error "1,000 nested parentheses" "${open}santé${close}" \
    "parentheses nested too deeply (at most 32 levels)"
open=$(head -c 32 /dev/zero | tr '\000' '(')
close=$(head -c 32 /dev/zero | tr '\000' ')')
query_rc "32 nested parentheses, the limit, still work" "${open}santé${close}" 0
w=$(head -c 100000 /dev/zero | tr '\000' 'a')
query_error "a 100,000-character word" "$w" "query too long (100000 bytes, at most 16384)"
w=$(head -c 10000 /dev/zero | tr '\000' 'z')
query_rc "a 10,000-character word: no match" "$w" 1
q=$(i=0; while [ $i -lt 10000 ]; do printf 'mot%d ' $i; i=$((i + 1)); done)
query_error "a 10,000-word query" "$q" "query too long (${#q} bytes, at most 16384)"
q=$(i=0; while [ $i -lt 1500 ]; do printf 'm%d ' $i; i=$((i + 1)); done)
query_error "1,500 words under the byte limit" "$q" "query too long (at most 256 words)"

echo "e2e_hostile: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
