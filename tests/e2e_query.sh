#!/bin/sh
# End-to-end tests of the researcher's and analyst's features of polidex-search on an
# index of corpus/: fields and filters, acronym expansion, sorting, did-you-mean, KWIC,
# facets and corpus tables. Expected sets come from the corpus text (grep) or from
# polidex-extract, never from polidex-search itself.
B=${B:-build}
SEARCH_BIN="$B/polidex-search"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/db"
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "     $2"; }
check() { # check NAME CONDITION-EXIT-STATUS DETAIL
    if [ "$2" -eq 0 ]; then ok "$1"; else not_ok "$1" "${3:-}"; fi
}
found() {
    "$SEARCH_BIN" -i "$db" -n 100 --json -- "$@" 2>/dev/null |
        grep -o '"path": "[^"]*"' | sed 's/"path": "//; s/"$//' | sort
}
expect_found() {
    name=$1 expected=$2
    shift 2
    got=$(found "$@")
    [ -n "$expected" ] && [ "$got" = "$expected" ]
    check "$name" $? "query: $* | expected: $(echo $expected) | got: $(echo $got)"
}

"$B/polidex-index" -q -i "$db" corpus || { echo "e2e_query: 0 passed, 1 failed"; exit 1; }

# ---- fields ----------------------------------------------------------------------
# Which documents name the OMS, per the extractor run on its own.
oms_docs=$(for f in corpus/*.txt; do
    "$B/polidex-extract" "$f" | grep -q '"id":"oms"' && echo "$f"
done | sort)
expect_found "institution:OMS" "$oms_docs" institution:OMS
expect_found "institution:\"Organisation mondiale de la santé\" = institution:OMS" "$oms_docs" \
    'institution:"Organisation mondiale de la santé"'
expect_found "institution:oms (by id)" "$oms_docs" institution:oms
# An alias of the gazetteer that no document writes: the index's table does not know it,
# so the search starts the extractors to resolve it.
grep -qw WHO corpus/*.txt && { echo "e2e_query: the corpus now says WHO; pick another alias"; exit 1; }
expect_found "institution:WHO (a gazetteer alias no document uses)" "$oms_docs" institution:WHO
expect_found "«Organisation mondiale de la santé» also finds « l’OMS »" \
    "$(printf '%s\n%s\n' "$oms_docs" "$(grep -liF 'organisation mondiale de la santé' corpus/*.txt)" | sort -u)" \
    '«Organisation mondiale de la santé»'

kaz_title=$(for f in corpus/*.txt; do head -n 3 "$f" | grep -qi kazakhstan && echo "$f"; done | sort)
expect_found "title:kazakhstan" "$kaz_title" title:kazakhstan

dated_2017=$(grep -l "2017" corpus/*.txt | sort)
expect_found "date:2017 finds documents dated or mentioning 2017" "$dated_2017" date:2017
expect_found "date:2017-03 (« du 21 au 23 mars 2017 »)" "$(grep -l "mars 2017" corpus/*.txt)" \
    date:2017-03
expect_found "date:2016..2018 contains date:2017" "$dated_2017" date:2016..2018
expect_found "path: one document" "corpus/004_6b03d146d6a56937.txt" \
    path:corpus/004_6b03d146d6a56937.txt
expect_found "path: a directory" "$(ls corpus/*.txt | sort)" path:corpus/
# The passage shown is the one with the most of the query's words, and stop words the
# search left out are not lit up.
first=$("$SEARCH_BIN" -i "$db" -n 1 --color never -- "soins de santé primaires" 2>&1 | sed -n 3p)
case $first in
*"**soins**"*"**santé**"*"**primaires**"*)
    case $first in *"**de**"* | *"**des**"*) r=1 ;; *) r=0 ;; esac ;;
*) r=1 ;;
esac
check "snippet: the passage with every query word, stop words not lit" $r "$first"
# A directory of more than a thousand documents (Xapian's default limit on a wildcard).
mkdir -p "$tmp/big/d"
awk -v dir="$tmp/big/d" 'BEGIN { for (i = 0; i < 1100; i++)
    printf "Note %d\nLa santé publique, note numéro %d.\n", i, i > sprintf("%s/n%04d.txt", dir, i) }'
printf 'Hors du dossier\nLa santé publique ailleurs.\n' >"$tmp/big/autre.txt"
"$B/polidex-index" -q -i "$tmp/bigdb" "$tmp/big" 2>"$tmp/err"
n=$("$SEARCH_BIN" -i "$tmp/bigdb" --json --exact-count -n 1 -- "santé path:$tmp/big/d/" 2>"$tmp/err" |
    sed -n 's/.*"total": \([0-9]*\).*/\1/p')
check "path: a directory of 1100 documents (more than a wildcard's default limit)" \
    "$([ "$n" = 1100 ]; echo $?)" "total '$n': $(cat "$tmp/err")"
expect_found "filter with words" "$(grep -lF "2023" $(grep -liF intention corpus/*.txt) | sort)" \
    intention date:2023

"$SEARCH_BIN" -i "$db" date:2025..2023 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "impossible range" "$tmp/err"
check "impossible date range: exit 2" $? "$(cat "$tmp/err")"
"$SEARCH_BIN" -i "$db" colour:red >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "unknown field 'colour:'" "$tmp/err"
check "unknown field: exit 2 naming it" $? "$(cat "$tmp/err")"

# ---- sorting ---------------------------------------------------------------------
dates=$("$SEARCH_BIN" -i "$db" --json --sort -date santé | grep -o '"date": "[0-9-]*"' |
    sed 's/"date": "//; s/"//')
[ -n "$dates" ] && [ "$dates" = "$(echo "$dates" | sort -r)" ]
check "--sort -date: newest first" $? "$dates"
dates=$("$SEARCH_BIN" -i "$db" --json --sort date santé | grep -o '"date": "[0-9-]*"' |
    sed 's/"date": "//; s/"//')
[ -n "$dates" ] && [ "$dates" = "$(echo "$dates" | sort)" ]
check "--sort date: oldest first" $? "$dates"

# ---- did you mean ----------------------------------------------------------------
out=$("$SEARCH_BIN" -i "$db" Kazakstan)
[ $? -eq 1 ] && echo "$out" | grep -q "did you mean: Kazakhstan"
check "Kazakstan → did you mean Kazakhstan" $? "$out"
out=$("$SEARCH_BIN" -i "$db" --json coopratoin)
echo "$out" | grep -q '"did_you_mean": "coopération"'
check "coopratoin → coopération (JSON)" $? "$out"
out=$("$SEARCH_BIN" -i "$db" --json santé)
echo "$out" | grep -q '"did_you_mean": null'
check "no suggestion when every word is known" $? "$out"

# ---- keyword in context ----------------------------------------------------------
n_kwic=$("$SEARCH_BIN" -i "$db" -n 100 --kwic intention | grep -c '\[intention\]')
n_text=$(grep -o "[Dd]éclaration d[’']intention\|intention" corpus/*.txt | grep -c intention)
[ "$n_kwic" -gt 0 ] && [ "$n_kwic" -eq "$n_text" ]
check "--kwic: one line per occurrence ($n_kwic)" $? "kwic $n_kwic, grep $n_text"
line=$("$SEARCH_BIN" -i "$db" --kwic --color never AP-HP | head -n 1)
off=$(echo "$line" | cut -d: -f2)
file=$(echo "$line" | cut -d: -f1)
[ "$(tail -c +$((off + 1)) "$file" | head -c 2)" = "AP" ]
check "--kwic byte offsets point at the word" $? "$line"

# ---- facets and tables -----------------------------------------------------------
out=$("$SEARCH_BIN" -i "$db" --facets institution,pillar,year santé)
echo "$out" | grep -q "^  institution: .*OMS (2)" && echo "$out" | grep -q "^  year: "
check "--facets in text" $? "$out"
out=$("$SEARCH_BIN" -i "$db" --json --facets institution OMS)
echo "$out" | grep -q '"facets": {"institution": \[{"id": "oms", "name": "Organisation mondiale de la santé", "acronym": "OMS", "documents": 2'
check "--facets in JSON" $? "$out"

out=$("$SEARCH_BIN" -i "$db" --list institutions --csv)
echo "$out" | head -n 1 | grep -qx "id,name,acronym,documents,mentions,first,last" &&
    echo "$out" | grep -q '^oms,Organisation mondiale de la santé,OMS,2,'
check "--list institutions --csv" $? "$(echo "$out" | head -3)"
# Mentions counted by the index equal the mentions polidex-extract reports.
extract_oms=$("$B/polidex-extract" corpus/*.txt | grep -o '"id":"oms"' | wc -l)
index_oms=$(echo "$out" | grep '^oms,' | cut -d, -f5)
[ "$extract_oms" -eq "$index_oms" ]
check "mentions of oms: index $index_oms = extract $extract_oms" $?
out=$("$SEARCH_BIN" -i "$db" --list years --json)
echo "$out" | grep -q '"table": "year"' && echo "$out" | grep -q '"id": "2017"'
check "--list years --json" $? "$(echo "$out" | head -3)"
out=$("$SEARCH_BIN" -i "$db" --list pillars Kazakhstan)
echo "$out" | grep -q "soins-primaires"
check "--list pillars restricted by a query" $? "$out"
out=$("$SEARCH_BIN" -i "$db" --cooccur institution institution:OMS)
! echo "$out" | grep -q "^oms " && echo "$out" | grep -q "union-europeenne"
check "--cooccur institution institution:OMS (without OMS itself)" $? "$out"
"$SEARCH_BIN" -i "$db" --list bogus >/dev/null 2>"$tmp/err"
[ $? -eq 2 ]
check "--list with an unknown table: exit 2" $? "$(cat "$tmp/err")"

# ---- the index's own acronym table -----------------------------------------------
# An acronym a document defines itself (not in the gazetteer) finds, in the other
# documents, the long form written without it.
mkdir -p "$tmp/lx"
printf 'Un\n\nLe rapport de la Fondation Lumière pour la recherche (FLR) est paru.\n' >"$tmp/lx/a.txt"
printf 'Deux\n\nLa Fondation Lumière pour la recherche finance trois projets.\n' >"$tmp/lx/d.txt"
printf 'Trois\n\nRien à voir ici.\n' >"$tmp/lx/z.txt"
"$B/polidex-index" -q -i "$tmp/lx.db" "$tmp/lx"
got=$("$SEARCH_BIN" -i "$tmp/lx.db" --json FLR | grep -o '"path": "[^"]*"' | sort | tr '\n' ' ')
[ "$got" = "\"path\": \"$tmp/lx/a.txt\" \"path\": \"$tmp/lx/d.txt\" " ]
check "a document-defined acronym (FLR) finds the long form elsewhere" $? "$got"

# ---- exact accents --------------------------------------------------------------
mkdir -p "$tmp/acc"
printf 'Un\n\nLa pêche en mer.\n' >"$tmp/acc/peche.txt"
printf 'Deux\n\nUn péché mignon.\n' >"$tmp/acc/peche2.txt"
"$B/polidex-index" -q -i "$tmp/acc.db" "$tmp/acc"
acc() { "$SEARCH_BIN" -i "$tmp/acc.db" --json "$@" | grep -o '"path": "[^"]*"' | tr '\n' ' '; }
[ "$(acc pêche)" = "\"path\": \"$tmp/acc/peche.txt\" \"path\": \"$tmp/acc/peche2.txt\" " ] ||
    [ "$(acc pêche)" = "\"path\": \"$tmp/acc/peche2.txt\" \"path\": \"$tmp/acc/peche.txt\" " ]
check "pêche without = ignores accents (both documents)" $? "$(acc pêche)"
[ "$(acc =pêche)" = "\"path\": \"$tmp/acc/peche.txt\" " ]
check "=pêche finds « pêche » only" $? "$(acc =pêche)"
[ "$(acc =péché)" = "\"path\": \"$tmp/acc/peche2.txt\" " ]
check "=péché finds « péché » only" $? "$(acc =péché)"

# ---- explain ---------------------------------------------------------------------
out=$("$SEARCH_BIN" -i "$db" --explain "l'OMS hôpitaux")
echo "$out" | grep -q "word: oms (stem oms) | or institution oms" &&
    echo "$out" | grep -q "word: hopitaux (stem hopital)"
check "--explain shows folded forms, stems and expansions" $? "$out"
out=$("$SEARCH_BIN" -i "$db" --json --explain OMS)
echo "$out" | grep -q '"explain": "word: oms'
check "--explain in JSON" $? "$out"

echo "e2e_query: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
