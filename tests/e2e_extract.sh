#!/bin/sh
# e2e_extract.sh — polidex-extract as a user runs it: stdout (JSON Lines shape, golden
# output of the seed documents compared with diff -u, CSV), stderr and exit codes.
# Prints one line per check and ends with "e2e_extract: N passed, N failed".
# Refresh the golden files after a reviewed change with:
#   for f in corpus/*.txt; do build/polidex-extract "$f" > tests/golden/extract_$(basename "$f" .txt).jsonl; done
B=${B:-build}
P="$B/polidex-extract"
passed=0
failed=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { passed=$((passed + 1)); echo "ok - $1"; }
ko() { failed=$((failed + 1)); echo "FAIL - $1"; }
check() { # check NAME COMMAND...
    name=$1
    shift
    if "$@"; then ok "$name"; else ko "$name"; fi
}

# ---- golden output of the seed documents -------------------------------------------
for f in corpus/*.txt; do
    b=$(basename "$f" .txt)
    "$P" "$f" > "$T/$b.out" 2> "$T/$b.err"
    rc=$?
    check "$b: exit 0" [ "$rc" -eq 0 ]
    check "$b: stderr empty" [ ! -s "$T/$b.err" ]
    if diff -u "tests/golden/extract_$b.jsonl" "$T/$b.out"; then
        ok "$b: output matches tests/golden/extract_$b.jsonl"
    else
        ko "$b: output matches tests/golden/extract_$b.jsonl"
    fi
done

# ---- JSON shape ------------------------------------------------------------------------
"$P" corpus/*.txt > "$T/all.out" 2> "$T/all.err"
check "all seeds: exit 0" [ $? -eq 0 ]
check "all seeds: one line per file" [ "$(wc -l < "$T/all.out")" -eq "$(ls corpus/*.txt | wc -l)" ]
if command -v python3 > /dev/null 2>&1; then
    python3 - "$T/all.out" << 'PY'
import json, sys
keys = ["path", "title", "doc_date", "ref_date", "ref_date_source", "dates", "institutions", "pillars"]
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    assert list(d) == keys, list(d)
    assert d["ref_date_source"] in ("none", "document", "option")
    text = open(d["path"], "rb").read()
    for m in d["dates"]:
        assert m["type"] in ("DATE", "TIME", "DURATION", "SET") and m["value"]
    for m in d["institutions"]:
        assert m["id"] and m["name"] and "acronym" in m
    for m in d["pillars"]:
        assert m["id"] and m["label"]
    for k in ("dates", "institutions", "pillars"):
        for m in d[k]:
            assert text[m["start"]:m["end"]].decode("utf-8") == m["text"], m
PY
    check "JSON: valid, documented keys, offsets match the file" [ $? -eq 0 ]
else
    check "JSON: lines start with {\"path\":" [ "$(grep -c '^{"path":' "$T/all.out")" -eq 5 ]
fi
check "doc date from « Mis à jour le »" grep -q '"doc_date":"2025-12-02","ref_date":"2025-12-02","ref_date_source":"document"' "$T/all.out"
check "range marked begin/end" grep -q '"text":"2023","type":"DATE","value":"2023","range":"begin"' "$T/all.out"

# ---- options ---------------------------------------------------------------------------
"$P" --ref-date 2024-11-04 corpus/000_36fc1289ac051e09.txt > "$T/ref.out"
check "--ref-date: exit 0" [ $? -eq 0 ]
check "--ref-date: source option" grep -q '"ref_date":"2024-11-04","ref_date_source":"option"' "$T/ref.out"
check "--ref-date: novembre dernier resolved" grep -q '"text":"novembre dernier","type":"DATE","value":"2023-11"' "$T/ref.out"

printf 'Le Fonds mondial de lutte contre le sida, la tuberculose et le paludisme a dit "oui".\n' > "$T/comma.txt"
"$P" --csv "$T/comma.txt" > "$T/csv.out"
check "--csv: exit 0" [ $? -eq 0 ]
check "--csv: header" [ "$(head -1 "$T/csv.out")" = "path,kind,start,end,text,type,value,id,name,acronym,label" ]
check "--csv: quoted field with comma" grep -q ',institution,3,72,"Fonds mondial de lutte contre le sida, la tuberculose et le paludisme",,,fonds-mondial,' "$T/csv.out"

printf 'mon-labo | Laboratoire Soleil | LSOL |\n' > "$T/inst.txt"
printf 'Le LSOL ouvre.\n' > "$T/labo.txt"
"$P" --institutions "$T/inst.txt" "$T/labo.txt" > "$T/labo.out"
check "--institutions: user entry found" grep -q '"id":"mon-labo"' "$T/labo.out"

printf 'not an id\n' > "$T/badinst.txt"
"$P" --institutions "$T/badinst.txt" "$T/labo.txt" > /dev/null 2> "$T/badinst.err"
check "--institutions: malformed file exits 3" [ $? -eq 3 ]
check "--institutions: message names file and line" grep -q "^polidex-extract: $T/badinst.txt:1: " "$T/badinst.err"

"$P" --help > "$T/help.out" 2>&1
check "--help: exit 0" [ $? -eq 0 ]
check "--help: usage and exit codes" grep -q '^Exit status: 0 success, 2 usage error' "$T/help.out"

# ---- errors ----------------------------------------------------------------------------
printf 'le 3 mai\377 2017\n' > "$T/bad.txt"
"$P" corpus/000_36fc1289ac051e09.txt "$T/bad.txt" corpus/004_6b03d146d6a56937.txt > "$T/bad.out" 2> "$T/bad.err"
check "invalid UTF-8: exit 3" [ $? -eq 3 ]
check "invalid UTF-8: one-line message" [ "$(cat "$T/bad.err")" = "polidex-extract: $T/bad.txt: invalid UTF-8 at byte 8, skipped" ]
check "invalid UTF-8: other files still output" [ "$(wc -l < "$T/bad.out")" -eq 2 ]

"$P" --frobnicate corpus/000_36fc1289ac051e09.txt > "$T/u.out" 2> "$T/u.err"
check "unknown option: exit 2" [ $? -eq 2 ]
check "unknown option: message" [ "$(cat "$T/u.err")" = "polidex-extract: unknown option '--frobnicate'; try 'polidex-extract --help'" ]
check "unknown option: nothing on stdout" [ ! -s "$T/u.out" ]

"$P" > /dev/null 2> "$T/n.err"
check "no FILE: exit 2" [ $? -eq 2 ]
"$P" --ref-date 2025-13-01 corpus/000_36fc1289ac051e09.txt > /dev/null 2> "$T/r.err"
check "bad --ref-date: exit 2" [ $? -eq 2 ]
check "bad --ref-date: says try --help" grep -q "try 'polidex-extract --help'$" "$T/r.err"

"$P" "$T/missing.txt" > /dev/null 2> "$T/m.err"
check "missing file: exit 4" [ $? -eq 4 ]
check "missing file: message" grep -q "^polidex-extract: $T/missing.txt: cannot read: No such file or directory$" "$T/m.err"

echo "e2e_extract: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
