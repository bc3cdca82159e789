#!/bin/sh
# End-to-end tests of polidex-index and polidex-search on an index built from corpus/:
# what a French reader expects, checked on what a user sees (stdout, stderr, exit code).
# Expected document sets come from the corpus text itself (grep), not from polidex.
B=${B:-build}
INDEX_BIN="$B/polidex-index"
SEARCH_BIN="$B/polidex-search"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/db"
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "     $2"; }

# Paths of the documents a search returns, sorted, one per line.
found() {
    "$SEARCH_BIN" -i "$db" -n 100 --json -- "$@" 2>/dev/null |
        grep -o '"path": "[^"]*"' | sed 's/"path": "//; s/"$//' | sort
}
# Paths of corpus files containing a (case-insensitive, fixed) string.
grepped() {
    grep -lFi -- "$1" corpus/*.txt | sort
}
# expect_same NAME QUERY EXPECTED-LIST
expect_found() {
    name=$1 expected=$2
    shift 2
    got=$(found "$@")
    if [ -n "$expected" ] && [ "$got" = "$expected" ]; then
        ok "$name"
    else
        not_ok "$name" "query: $* | expected: $(echo $expected) | got: $(echo $got)"
    fi
}

# ---- indexing --------------------------------------------------------------------
out=$("$INDEX_BIN" -i "$db" corpus 2>"$tmp/err")
rc=$?
if [ $rc -eq 0 ] && grep -q '5 documents indexed' "$tmp/err"; then
    ok "index corpus: exit 0, 5 documents"
else
    not_ok "index corpus" "exit $rc: $(cat "$tmp/err")"
fi

# ---- what a French reader expects ------------------------------------------------
aphp=$(grepped "AP-HP")
# « Hôpital » and « hôpitaux » share a stem: every document with either is expected.
hopital=$(grep -liE "h[ôo]pita(l|ux)" corpus/*.txt | sort)
echo "$hopital" | grep -qxF "$aphp" && ok "the AP-HP document says Hôpital" ||
    not_ok "the AP-HP document says Hôpital"
expect_found "hopital finds the AP-HP document (l'Hôpital européen)" "$hopital" hopital
expect_found "Hôpital finds the AP-HP document" "$hopital" "Hôpital"

oms=$(grep -lE "l[’']OMS|\(OMS\)" corpus/*.txt | sort)
[ "$(echo "$oms" | wc -l)" -eq 2 ] && ok "corpus has two documents citing l'OMS / (OMS)" ||
    not_ok "corpus has two documents citing OMS" "$oms"
expect_found "oms finds both OMS documents" "$oms" oms
expect_found "OMS finds both OMS documents" "$oms" OMS
expect_found "l'OMS finds both OMS documents" "$oms" "l'OMS"
expect_found "l’OMS (typographic apostrophe) finds both" "$oms" "l’OMS"

expect_found "intention finds every « déclaration d’intention »" \
    "$(grep -lE "déclaration d[’']intention" corpus/*.txt | sort)" intention
expect_found "oeuvre finds « œuvre »" "$(grepped "œuvre")" oeuvre
expect_found "œuvre finds « œuvre »" "$(grepped "œuvre")" "œuvre"

sante=$(found sante)
[ -n "$sante" ] && [ "$sante" = "$(found santé)" ] && [ "$sante" = "$(found SANTÉ)" ] &&
    ok "sante, santé and SANTÉ find the same documents" ||
    not_ok "sante/santé/SANTÉ" "sante: $(echo $sante) santé: $(echo $(found santé))"
expect_found "santé finds every document saying santé" "$(grepped "santé")" santé

expect_found "\"soins de santé primaires\" as a phrase" \
    "$(grepped "soins de santé primaires")" '"soins de santé primaires"'
[ -z "$(found '"primaires santé de soins"')" ] && ok "wrong-order phrase is empty" ||
    not_ok "wrong-order phrase is empty"
expect_found "europeen finds « européen »" "$(grepped "européen")" europeen

expect_found "AP-HP finds the AP-HP document" "$aphp" AP-HP
expect_found "APHP finds the AP-HP document" "$aphp" APHP
expect_found "ap hp finds the AP-HP document" "$aphp" ap hp
expect_found "\"AP HP\" finds the AP-HP document" "$aphp" '"AP HP"'
expect_found "numbers are terms: 2030" "$(grepped "2030")" 2030

# ---- operators -------------------------------------------------------------------
kaz=$(grepped "Kazakhstan")
expect_found "OMS OR Kazakhstan" "$(printf '%s\n%s\n' "$oms" "$kaz" | sort -u)" OMS OR Kazakhstan
expect_found "Kazakhstan -OMS excludes" "$(echo "$kaz" | grep -vxF "$oms")" Kazakhstan -OMS
expect_found "hôp* and hop* agree" "$(found 'hop*')" 'hôp*'

# ---- output, paging and exit codes -----------------------------------------------
out=$("$SEARCH_BIN" -i "$db" --color never "l'OMS" 2>&1)
rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q '\*\*OMS\*\*'; then
    ok "snippet highlights OMS inside « l’OMS » (plain markers off a terminal)"
else
    not_ok "snippet highlight" "exit $rc: $out"
fi
out=$("$SEARCH_BIN" -i "$db" --color never hôpitaux 2>&1)
echo "$out" | grep -qi '\*\*Hôpital\*\*' && ok "stemmed forms are highlighted (hôpitaux → Hôpital)" ||
    not_ok "stemmed highlight" "$out"
out=$("$SEARCH_BIN" -i "$db" -n 1 santé 2>&1)
[ "$(echo "$out" | grep -c '^[0-9]*\. ')" -eq 1 ] && ok "-n 1 shows one result" ||
    not_ok "-n 1" "$out"
first=$("$SEARCH_BIN" -i "$db" --json -n 1 --offset 1 santé | grep -o '"rank": [0-9]*')
[ "$first" = '"rank": 2' ] && ok "--offset 1 starts at rank 2" || not_ok "--offset" "$first"

json=$("$SEARCH_BIN" -i "$db" --json --exact-count OMS)
for key in '"query": "OMS"' '"total": 2' '"total_exact": true' '"results": \[' \
    '"rank": 1' '"title": "' '"snippet": {"text": "' '"highlights": \[\['; do
    echo "$json" | grep -q "$key" && ok "JSON has $key" || not_ok "JSON has $key" "$json"
done

"$SEARCH_BIN" -i "$db" zzzyyyxxx >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "no document matches" "$tmp/out" && ok "no match: exit 1" ||
    not_ok "no match: exit 1" "exit $rc"
"$SEARCH_BIN" -i "$db" '"soins de santé' >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "^polidex-search: query .*unbalanced quote" "$tmp/err" &&
    [ "$(wc -l <"$tmp/err")" -eq 2 ] && ok "unbalanced quote: exit 2, one-line message" ||
    not_ok "unbalanced quote" "exit $rc: $(cat "$tmp/err")"
"$SEARCH_BIN" -i "$db" '(santé' >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "unbalanced parenthesis" "$tmp/err" && ok "unbalanced parenthesis: exit 2" ||
    not_ok "unbalanced parenthesis" "$(cat "$tmp/err")"
"$SEARCH_BIN" -i "$tmp/missing" santé >/dev/null 2>"$tmp/err"
[ $? -eq 4 ] && grep -q "cannot open the index" "$tmp/err" && ok "missing index: exit 4" ||
    not_ok "missing index" "$(cat "$tmp/err")"
"$SEARCH_BIN" --bogus x >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "try 'polidex-search --help'" "$tmp/err" && ok "unknown option: exit 2" ||
    not_ok "unknown option" "$(cat "$tmp/err")"

out=$("$SEARCH_BIN" -i "$db" --color always "l'OMS" 2>&1)
echo "$out" | grep -q "$(printf '\033\\[1mOMS\033\\[0m')" &&
    ok "--color always: matched words in bold (ANSI)" || not_ok "--color always" "$out"

# An index whose terms another analyzer made is refused, with what to do.
cp -r "$db" "$tmp/old.db"
xapian-metadata set "$tmp/old.db" polidex.analyzer 0 2>/dev/null
"$SEARCH_BIN" -i "$tmp/old.db" santé >/dev/null 2>"$tmp/err"
[ $? -eq 4 ] && grep -q "built by analyzer version '0', this is version .*--rebuild" "$tmp/err" &&
    ok "an index from another analyzer version: exit 4, says to rebuild" ||
    not_ok "analyzer version check" "$(cat "$tmp/err")"

# ---- ICU is loaded only when needed ----------------------------------------------
# A search for plain words (accents, elisions and hyphens included) cuts its query
# without ICU and never loads it; one with other punctuation loads it and still works.
icu_loaded() { LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -q 'file=libicuuc'; }
if ! icu_loaded "$SEARCH_BIN" -i "$db" -n 3 "l'OMS santé" &&
    ! icu_loaded "$SEARCH_BIN" -i "$db" -n 3 "AP-HP" &&
    [ -n "$(found "l'OMS santé")" ] && [ -n "$(found "AP-HP")" ]; then
    ok "a plain-word search does not load ICU"
else
    not_ok "a plain-word search does not load ICU"
fi
if icu_loaded "$SEARCH_BIN" -i "$db" -n 3 "santé, OMS" &&
    [ "$(found "santé, OMS")" = "$(found "santé OMS")" ]; then
    ok "a query with a comma loads ICU and finds what it finds without"
else
    not_ok "a query with a comma loads ICU" "$(found "santé, OMS")"
fi

# ---- the indexer's own checks ----------------------------------------------------
printf 'Titre\n\nun texte \377 invalide\n' >"$tmp/bad.txt"
"$INDEX_BIN" -i "$db" "$tmp/bad.txt" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && grep -q "bad.txt: invalid UTF-8 at byte 16.*, skipped$" "$tmp/err" &&
    ok "invalid UTF-8: skipped with its byte offset, exit 3" ||
    not_ok "invalid UTF-8" "exit $rc: $(cat "$tmp/err")"
"$INDEX_BIN" -i "$db" --rebuild -q corpus 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && [ "$(found santé)" = "$sante" ] && ok "--rebuild swaps in a complete index" ||
    not_ok "--rebuild" "exit $rc: $(cat "$tmp/err")"
ls "$tmp" | grep -q 'db.new' && not_ok "--rebuild leaves no temporary index" ||
    ok "--rebuild leaves no temporary index"

# --rebuild compacts what it built: smaller than the same documents indexed in batches.
mkdir -p "$tmp/many"
i=0
while [ $i -lt 400 ]; do
    printf 'Document %d\n\nLa santé publique et la coopération en santé, note %d sur les soins.\n' \
        $i $i >"$tmp/many/d$i.txt"
    i=$((i + 1))
done
"$INDEX_BIN" -q -i "$tmp/loose.db" "$tmp/many" 2>/dev/null
"$INDEX_BIN" -q -i "$tmp/tight.db" --rebuild "$tmp/many" 2>/dev/null
loose=$(du -sk "$tmp/loose.db" | cut -f1)
tight=$(du -sk "$tmp/tight.db" | cut -f1)
n=$("$SEARCH_BIN" -i "$tmp/tight.db" --json --exact-count coopération | grep -o '"total": [0-9]*')
[ "$tight" -lt "$loose" ] && [ "$n" = '"total": 400' ] &&
    ok "--rebuild compacts: ${tight} KB against ${loose} KB, every document found" ||
    not_ok "--rebuild compacts" "tight $tight KB, loose $loose KB, $n"

# A large stored document is kept as a head and a body (value slots 6 and 7, see
# indexer/pdx_schema.h): a word found only far past the head is still highlighted, a
# query of filters only shows the beginning, and a short document is not split.
mkdir -p "$tmp/split"
{
    printf 'Un long rapport\n\n'
    i=0
    while [ $i -lt 60 ]; do
        printf 'La prévention en santé publique progresse dans la région numéro %d. ' $i
        i=$((i + 1))
    done
    printf 'Dernière phrase sur la xénotransplantation.\n'
} >"$tmp/split/long.txt"
printf 'Une note brève\n\nLa xénotransplantation en bref.\n' >"$tmp/split/short.txt"
"$INDEX_BIN" -q -i "$tmp/split.db" "$tmp/split" 2>/dev/null
out=$("$SEARCH_BIN" -i "$tmp/split.db" --color always -n 5 xénotransplantation)
echo "$out" | grep -q "$(printf 'sur la \033\\[1mxénotransplantation\033\\[0m')" &&
    ok "a word past a large document's head is highlighted in its snippet" ||
    not_ok "word past the head highlighted" "$out"
out=$("$SEARCH_BIN" -i "$tmp/split.db" -n 5 "path:$tmp/split/long.txt")
echo "$out" | grep -q "Un long rapport La prévention en santé publique progresse dans la région numéro 0" &&
    ok "a query of filters only shows a large document's beginning" ||
    not_ok "filters only: beginning" "$out"
bodies=$(xapian-delve -V7 "$tmp/split.db" 2>/dev/null | grep -c 'polidex3')
heads=$(xapian-delve -V6 "$tmp/split.db" 2>/dev/null | grep -c 'polidexh')
[ "$bodies" = 1 ] && [ "$heads" = 1 ] &&
    ok "only the large document is split (one head, one body)" ||
    not_ok "only the large document is split" "heads $heads, bodies $bodies"

# make install honours PREFIX and DESTDIR (the plain build only: a variant's binaries are
# not what install ships).
if [ "$B" = build ]; then
    make -s install DESTDIR="$tmp/dest" PREFIX=/opt/pdx >/dev/null 2>"$tmp/err"
    [ -x "$tmp/dest/opt/pdx/bin/polidex-search" ] && [ -x "$tmp/dest/opt/pdx/bin/polidex-index" ] &&
        [ -x "$tmp/dest/opt/pdx/bin/polidex-extract" ] &&
        "$tmp/dest/opt/pdx/bin/polidex-search" --version | grep -q "^polidex-search " &&
        ok "make install DESTDIR=… PREFIX=/opt/pdx installs the three programs" ||
        not_ok "make install" "$(cat "$tmp/err"; ls -R "$tmp/dest" 2>&1 | head)"
fi

echo "e2e_search: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
