# Helpers sourced by the end-to-end scripts that compare indexes (INDEX_BIN set first).
# doccount DB: the number of documents in DB.
doccount() {
    "$INDEX_BIN" -i "$1" --status --json 2>/dev/null | sed -n 's/.*"documents": \([0-9]*\).*/\1/p'
}
# dump DB: every term with its frequency, then each document's terms, values and data.
dump() {
    n=$(doccount "$1")
    xapian-delve -a -v -1 "$1" && k=1 && while [ "$k" -le "${n:-0}" ]; do
        xapian-delve -r "$k" -v -1 -V -d "$1" || return 1
        k=$((k + 1))
    done
}
