# Helpers sourced by the end-to-end scripts that build indexes and compare them
# (INDEX_BIN set first).
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
# Generates N files under DIR (directories of 50), each with debutcommun ... fincommun.
generate() {
    awk -v dir="$1" -v n="$2" 'BEGIN {
        for (i = 0; i < n; i++) {
            d = sprintf("%s/d%02d", dir, int(i / 50));
            if (i % 50 == 0) system("mkdir -p " d);
            f = sprintf("%s/doc%05d.txt", d, i);
            printf "Document %d debutcommun\n\nLe ministère de la Santé, mot%05d.\n", i, i > f;
            for (k = 0; k < 15; k++)
                printf "Les soins de santé primaires et l’OMS, stratégie numéro %d.\n", k > f;
            print "fincommun" > f;
            close(f);
        }
    }'
}
