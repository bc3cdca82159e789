#!/bin/sh
# End-to-end tests of sharded indexes: polidex-index --shards / --compact, and
# polidex-search over several indexes, a sharded index, and a stub naming remote shards
# served by xapian-tcpsrv on 127.0.0.1. Every search must give what the same search gives
# on one index holding the same documents: the same top 20, counts, facets and tables.
# The servers this script starts are stopped on exit, whatever happens.
B=${B:-build}
INDEX_BIN="$B/polidex-index"
SEARCH_BIN="$B/polidex-search"
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do
        kill "$p" 2>/dev/null
    done
    for p in $pids; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "     $2"; }
check() { # check NAME COMMAND...: passes when COMMAND succeeds
    name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# ---- documents: corpus/ plus generated ones, under one tree --------------------------
mkdir -p "$tmp/docs/gen"
cp corpus/*.txt "$tmp/docs/"
i=0
while [ $i -lt 60 ]; do
    # Each generated document mixes lines of the corpus, so that words, institutions,
    # pillars and dates recur across documents with different frequencies.
    cat corpus/*.txt | awk -v k=$i 'NF && (NR * 7 + k * 3) % (5 + k % 4) == 0' \
        >"$tmp/docs/gen/doc$i.txt"
    [ -s "$tmp/docs/gen/doc$i.txt" ] || echo "santé publique $i" >"$tmp/docs/gen/doc$i.txt"
    i=$((i + 1))
done
cd "$tmp" || exit 1
B_ABS=$OLDPWD/$B
INDEX_BIN="$B_ABS/polidex-index"
SEARCH_BIN="$B_ABS/polidex-search"

# ---- building ------------------------------------------------------------------------
"$INDEX_BIN" -q -i one docs >/dev/null 2>err
rc=$?
[ $rc -eq 0 ] && ok "single index built" || not_ok "single index built" "exit $rc: $(cat err)"
"$INDEX_BIN" -q -i two --shards 2 docs >/dev/null 2>err
rc=$?
[ $rc -eq 0 ] && [ -d two/shard0 ] && [ -d two/shard1 ] && grep -q '^auto shard1$' two/XAPIANDB &&
    ok "2-shard index built: two/shard0, two/shard1 and the stub two/XAPIANDB" ||
    not_ok "2-shard index built" "exit $rc: $(cat err)"

docs_of() { "$INDEX_BIN" -i "$1" --status --json | sed 's/.*"documents": \([0-9]*\).*/\1/'; }
n1=$(docs_of one)
n2=$(docs_of two)
s0=$(docs_of two/shard0)
s1=$(docs_of two/shard1)
[ "$n1" -eq 65 ] && [ "$n2" -eq "$n1" ] && [ "$s0" -gt 0 ] && [ "$s1" -gt 0 ] &&
    [ $((s0 + s1)) -eq "$n1" ] &&
    ok "same documents: $n1 = $s0 + $s1 split by the id hash" ||
    not_ok "document counts" "one $n1, two $n2 = $s0 + $s1"

# ---- searching: sharded = single -----------------------------------------------------
# Everything a user sees that must not depend on the layout, as one text: for each query
# the exact count and the best 20 as "weight path" (equal weights in path order: Xapian
# breaks ties by docid, and docids are numbered differently across shards); for wildcard
# queries the documents found (Xapian 1.4 weighs the OP_SYNONYM of a wildcard's expansions
# shard by shard, so their ranking may differ, their matches may not); facets, the --list
# tables and "did you mean".
QUERIES="santé|OMS|soins de santé primaires|coopération OR partenariat|institution:OMS|date:2017|Kazakhstan -OMS|\"santé publique\"|title:kazakhstan"
outputs() {
    IFS='|'
    for q in $QUERIES; do
        unset IFS
        echo "== $q"
        "$SEARCH_BIN" -n 1000 --exact-count --json "$@" -- "$q" 2>&1 >json.out
        sed -n 's/.*\("total": [0-9]*, "total_exact": [a-z]*\).*/\1/p' json.out
        sed -n 's/.*"path": "\([^"]*\)".*"weight": \([0-9.e+-]*\).*/\2 \1/p' json.out |
            sort -k1,1gr -k2,2 | head -n 20
        IFS='|'
    done
    unset IFS
    for q in 'hôp*' 'coop* santé'; do
        echo "== $q"
        "$SEARCH_BIN" -n 1000 --exact-count --json "$@" -- "$q" 2>&1 >json.out
        sed -n 's/.*\("total": [0-9]*, "total_exact": [a-z]*\).*/\1/p' json.out
        grep -o '"path": "[^"]*"' json.out | sort
    done
    "$SEARCH_BIN" "$@" --facets institution,pillar,year santé 2>&1 | sed -n '/^facets:/,$p'
    "$SEARCH_BIN" "$@" --facets institution OMS 2>&1 | sed -n '/^facets:/,$p'
    for t in institutions pillars years; do
        "$SEARCH_BIN" "$@" --list $t --csv 2>&1
    done
    "$SEARCH_BIN" "$@" Kazakstan 2>&1 | grep '^did you mean'
}
ref() { outputs -i one >ref.txt; }
same_search() { # same_search NAME INDEX-ARGS...: the same outputs as on the single index
    name=$1
    shift
    outputs "$@" >got.txt
    if [ "$(grep -c '^[0-9.e+-]* ' ref.txt)" -gt 20 ] && cmp -s ref.txt got.txt; then
        ok "$name"
    else
        not_ok "$name" "$(diff ref.txt got.txt | grep -v '^< [0-9]' | head -n 8 | tr '\n' ' ')"
    fi
}
ref
same_search "2 shards = 1 index: top 20, exact counts, facets, --list tables, did you mean" -i two

# -i A -i B: two separate indexes searched as one.
"$INDEX_BIN" -q -i part_a docs/gen >/dev/null 2>&1
"$INDEX_BIN" -q -i part_b docs/0*.txt >/dev/null 2>&1
same_search "-i A -i B = one index of both" -i part_a -i part_b

# A stub file naming local databases.
printf '# two halves\nauto part_a\n\nglass part_b\n' >halves.stub
same_search "a stub file naming two databases = one index" -i halves.stub

# ---- updates land in the right shard -------------------------------------------------
echo "Un document tout neuf sur la vaccination des enfants au Kazakhstan." >docs/gen/new.txt
echo "La santé mentale des soignants, une priorité de l'OMS." >>docs/gen/doc3.txt
rm docs/gen/doc7.txt
"$INDEX_BIN" -i two --dry-run docs >dry 2>/dev/null
grep -q '^add docs/gen/new.txt' dry && grep -q '^replace docs/gen/doc3.txt' dry &&
    grep -q '^remove docs/gen/doc7.txt' dry && ok "--dry-run on a sharded index" ||
    not_ok "--dry-run on a sharded index" "$(cat dry)"
"$INDEX_BIN" -i one docs >/dev/null 2>&1
"$INDEX_BIN" -i two docs >/dev/null 2>err
ref
grep -q '1 documents indexed (1 added, 1 replaced)\|2 documents indexed (1 added, 1 replaced), 1 removed' err &&
    ok "incremental update of a sharded index: 1 added, 1 replaced, 1 removed" ||
    not_ok "incremental update" "$(cat err)"
"$INDEX_BIN" -i two --check 2>err
rc=$?
[ $rc -eq 0 ] && [ "$(docs_of two)" -eq "$(docs_of one)" ] &&
    ok "--check after the update: each document once, in its shard" ||
    not_ok "--check after the update" "exit $rc: $(cat err)"
"$INDEX_BIN" -i two --shards 3 docs >/dev/null 2>err
rc=$?
[ $rc -eq 2 ] && grep -q "has 2 shards, not 3.*--rebuild --shards 3" err &&
    ok "--shards N on an index with another number of shards: usage error, exit 2" ||
    not_ok "--shards mismatch" "exit $rc: $(cat err)"
same_search "after the update: 2 shards = 1 index" -i two

# ---- rebuild and compaction ----------------------------------------------------------
"$INDEX_BIN" -q -i four --shards 4 docs >/dev/null 2>&1
"$INDEX_BIN" -q -i four --rebuild docs >/dev/null 2>err
rc=$?
[ $rc -eq 0 ] && [ -d four/shard3 ] && ! ls | grep -q 'new-' &&
    ok "--rebuild of a 4-shard index keeps 4 shards, swapped in, nothing left beside" ||
    not_ok "--rebuild sharded" "exit $rc: $(cat err)"
same_search "4 shards = 1 index" -i four
cp -r two two_copy
"$INDEX_BIN" -q -i two_copy --compact 2>err
rc=$?
[ $rc -eq 0 ] && [ -d two_copy/shard1 ] && "$INDEX_BIN" -i two_copy --check -q 2>/dev/null &&
    ok "--compact compacts each shard" || not_ok "--compact sharded" "exit $rc: $(cat err)"
"$INDEX_BIN" -q -i two_copy --compact --shards 1 2>err
rc=$?
[ $rc -eq 0 ] && [ ! -e two_copy/XAPIANDB ] && [ -e two_copy/iamglass ] &&
    [ "$(docs_of two_copy)" -eq "$(docs_of one)" ] &&
    ok "--compact --shards 1 merges the shards into one database" ||
    not_ok "--compact --shards 1" "exit $rc: $(cat err)"
same_search "merged by --compact = 1 index" -i two_copy

# ---- remote shards -------------------------------------------------------------------
if ! command -v xapian-tcpsrv >/dev/null 2>&1; then
    not_ok "xapian-tcpsrv is installed (Debian package xapian-tools)"
else
    # serve DB: starts xapian-tcpsrv on a free port of 127.0.0.1; sets $port and $pid.
    # A port found taken makes the server exit at once: then another port is tried.
    # On SIGTERM xapian-tcpsrv kills its whole process group (its connection handlers):
    # each runs in a session of its own (setsid), so that stopping it spares this script.
    serve() {
        port=""
        tries=0
        seed=$$
        while [ -z "$port" ] && [ $tries -lt 20 ]; do
            tries=$((tries + 1))
            seed=$(((seed * 1103515245 + 12345) % 2147483648))
            p=$((20000 + seed % 40000))
            log="$tmp/tcpsrv.$p.log"
            setsid xapian-tcpsrv --interface 127.0.0.1 --port "$p" "$1" >"$log" 2>&1 &
            pid=$!
            waited=0
            while [ $waited -lt 100 ]; do # at most 10 s
                grep -q '^Listening' "$log" 2>/dev/null && { port=$p; break; }
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
                waited=$((waited + 1))
            done
            if [ -n "$port" ]; then
                pids="$pids $pid"
            else
                kill "$pid" 2>/dev/null
                wait "$pid" 2>/dev/null
            fi
        done
        [ -n "$port" ]
    }
    if serve "$tmp/two/shard0"; then
        port0=$port pid0=$pid
        if serve "$tmp/two/shard1"; then
            port1=$port pid1=$pid
            ok "two xapian-tcpsrv serving the shards on 127.0.0.1:$port0 and :$port1"
            printf 'remote 127.0.0.1:%s\nremote 127.0.0.1:%s\n' "$port0" "$port1" >remote.stub
            same_search "remote shards through a stub = 1 index" -i remote.stub
            printf 'auto two/shard0\nremote 127.0.0.1:%s\n' "$port1" >mixed.stub
            same_search "a local and a remote shard = 1 index" -i mixed.stub

            kill "$pid1"
            wait "$pid1" 2>/dev/null
            "$SEARCH_BIN" -i remote.stub santé >out 2>err
            rc=$?
            [ $rc -eq 4 ] && grep -q "127.0.0.1:$port1 (remote.stub line 2): remote shard unreachable" err &&
                [ "$(wc -l <err)" -eq 1 ] && [ ! -s out ] &&
                ok "a remote shard down: one line naming it, exit 4" ||
                not_ok "remote shard down" "exit $rc: $(cat err)"
            "$SEARCH_BIN" -i remote.stub --allow-partial --exact-count santé >out 2>err
            rc=$?
            [ $rc -eq 0 ] && [ "$(wc -l <err)" -eq 1 ] &&
                grep -q "warning: 127.0.0.1:$port1 (remote.stub line 2): shard left out" err &&
                grep -q "^results 1-10 of [0-9]*$" out &&
                [ "$(tail -n 1 out)" = \
                    "$("$SEARCH_BIN" -i two/shard0 --exact-count santé | tail -n 1)" ] &&
                ok "--allow-partial: the other shard's results and a one-line warning" ||
                not_ok "--allow-partial" "exit $rc: $(cat err)"
        else
            not_ok "start a second xapian-tcpsrv on 127.0.0.1"
        fi
    else
        not_ok "start xapian-tcpsrv on 127.0.0.1" "$(cat "$tmp"/tcpsrv.*.log 2>/dev/null)"
    fi
fi
printf 'remote 127.0.0.1\n' >bad.stub
"$SEARCH_BIN" -i bad.stub santé >/dev/null 2>err
rc=$?
[ $rc -eq 4 ] && grep -q "bad.stub.*malformed stub file at line 1" err &&
    ok "a malformed stub: exit 4, the line named" || not_ok "malformed stub" "exit $rc: $(cat err)"

echo "e2e_shards: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
