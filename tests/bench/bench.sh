#!/bin/bash
# tests/bench/bench.sh — polidex against omindex, recollindex and quest, and against the
# raw-Xapian ceiling (`make bench`; see BENCHMARKS.md for what is measured and how).
#
#   tests/bench/bench.sh [--small]     BENCH_SMALL=1 is --small; BENCH_RUNS (default 3)
#
# Corpus: ../shared/corpus/frhealth.tar.xz (BENCH_CORPUS to override), unpacked once into
# build/frhealth/; every run works on a hard-linked copy in build/bench/corpus/ (a file
# changed for the 1% re-index is replaced, never written through the link). --small
# takes every tenth file. Tools alternate run by run (the order rotates); medians of
# BENCH_RUNS runs are reported with the ratio polidex/peer. The full run writes
# BENCHMARKS.md at the top of the repository (the notes on optimisations come from
# tests/bench/NOTES.md); --small writes build/bench/BENCHMARKS.small.md (BENCH_OUT
# overrides either).
#
# Needs bash (EPOCHREALTIME) and awk; installs xapian-omega, xapian-tools, recoll and time
# from Debian when missing (as root, or through sudo).
set -eu
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
TOP=$PWD
SMALL=${BENCH_SMALL:-0}
[ "${1:-}" = --small ] && SMALL=1
RUNS=${BENCH_RUNS:-3}
TARBALL=${BENCH_CORPUS:-$TOP/../shared/corpus/frhealth.tar.xz}
W=$TOP/build/bench
B=$TOP/build
say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---- prerequisites ----------------------------------------------------------------
[ -f "$TARBALL" ] || die "corpus not found: $TARBALL (see ../shared/corpus/MANIFEST.md; set BENCH_CORPUS to its path)"
for p in polidex-index polidex-search polidex-extract; do
    [ -x "$B/$p" ] || die "$B/$p missing: run 'make' first (make bench does)"
done
missing=""
for p in xapian-omega xapian-tools recoll time; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "installing Debian packages:$missing"
    if [ "$(id -u)" = 0 ]; then SUDO=""
    elif command -v sudo >/dev/null 2>&1; then SUDO=sudo
    else die "missing packages:$missing; run as root or install sudo, then: apt-get install$missing"; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
        die "could not install:$missing"
fi
TIME=/usr/bin/time

# ---- corpus -----------------------------------------------------------------------
if [ ! -f "$B/frhealth/.unpacked" ]; then
    say "unpacking $TARBALL into build/"
    rm -rf "$B/frhealth"
    tar -xJf "$TARBALL" -C "$B" || die "cannot unpack $TARBALL"
    touch "$B/frhealth/.unpacked"
fi
mkdir -p "$W"
CORPUS=$W/corpus/frhealth
rm -rf "$W/corpus" "$W/db" "$W/recoll" "$W/out"
mkdir -p "$CORPUS" "$W/db" "$W/recoll" "$W/out" "$W/bin"
# The programs are copied, so that a rebuild during the run changes nothing.
BIN=$W/bin
cp "$B/polidex-index" "$B/polidex-search" "$B/polidex-extract" "$BIN/"
if [ "$SMALL" = 1 ]; then STEP=10; else STEP=1; fi
(cd "$B/frhealth" && ls | grep '\.txt$' | awk -v s=$STEP 'NR % s == 1 || s == 1') > "$W/files.txt"
(cd "$B/frhealth" && xargs ln -t "$CORPUS") < "$W/files.txt"
NFILES=$(wc -l < "$W/files.txt")
BYTES=$(cd "$CORPUS" && xargs cat < "$W/files.txt" | wc -c)
MB=$(awk -v b="$BYTES" 'BEGIN { printf "%.2f", b / 1e6 }')
say "corpus: $NFILES files, $MB MB ($([ "$SMALL" = 1 ] && echo small || echo full)), $RUNS runs"

# ---- the ceiling tool; its term stream from a polidex build (untimed, also a warm-up) --
g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -O2 -g $(pkg-config --cflags xapian-core) \
    tests/bench/xapian_ceiling.cc $(pkg-config --libs xapian-core) -o "$W/bin/xapian_ceiling"
say "warm-up build and the ceiling's term stream (not timed)"
"$BIN/polidex-index" -q -i "$W/db/polidex" --rebuild "$CORPUS" || [ $? = 3 ] ||
    die "polidex-index failed on the corpus"
"$W/bin/xapian_ceiling" --dump "$W/db/polidex" "$W/terms.bin" > /dev/null ||
    die "cannot dump the terms of $W/db/polidex"

# recoll: its own configuration directory, French stemming, no aspell.
cat > "$W/recoll/recoll.conf" <<EOF
topdirs = $CORPUS
indexstemminglanguages = french
noaspell = 1
loglevel = 1
EOF

RES=$W/results.tsv # measure run tool wall_s cpu_s rss_kb size_bytes
: > "$RES"

# timed MEASURE RUN TOOL DIR CMD...: runs CMD under /usr/bin/time and appends
# "measure run tool wall cpu rss size-of-DIR" to $RES.
timed() {
    local measure=$1 run=$2 tool=$3 dir=$4
    shift 4
    local tf=$W/out/time.$$
    $TIME -f '%e %U %S %M' -o "$tf" "$@" > "$W/out/$tool.$measure.out" 2> "$W/out/$tool.$measure.err" ||
        say "$tool ($measure, run $run): exit status not 0, see build/bench/out/$tool.$measure.err"
    local size=0
    [ -n "$dir" ] && size=$(du -sb "$dir" | cut -f1)
    tail -1 "$tf" | awk -v m="$measure" -v r="$run" -v t="$tool" -v s="$size" \
        '{ printf "%s\t%s\t%s\t%s\t%.2f\t%s\t%s\n", m, r, t, $1, $2 + $3, $4, s }' >> "$RES"
}

# The tools in the order for run $1 (rotated, so that none always runs first).
order() {
    local run=$1
    shift
    local list=("$@") n=$#
    for ((i = 0; i < n; i++)); do printf '%s ' "${list[$(((i + run) % n))]}"; done
}

P_DB=$W/db/polidex P1_DB=$W/db/polidex1 O_DB=$W/db/omindex C_DB=$W/db/ceiling R_DB=$W/recoll/xapiandb
CP_DB=$W/db/ceiling_parts
# The ceiling's second way cuts its parts as polidex-index's one writer does (its default
# --part-size).
PART_BYTES=$(sed -n 's/^#define ONE_WRITER_PART_BYTES \([0-9][0-9]*\).*/\1/p' indexer/polidex-index.c)
[ -n "$PART_BYTES" ] || die "cannot read ONE_WRITER_PART_BYTES in indexer/polidex-index.c"
build_one() { # tool run
    case $1 in
    polidex) rm -rf "$P_DB"
        timed build "$2" polidex "$P_DB" "$BIN/polidex-index" -q -i "$P_DB" --rebuild "$CORPUS" ;;
    polidex1) rm -rf "$P1_DB" # one writer (and one analysis thread)
        timed build "$2" polidex1 "$P1_DB" "$BIN/polidex-index" -q -i "$P1_DB" --rebuild -j 1 "$CORPUS" ;;
    omindex) rm -rf "$O_DB"
        timed build "$2" omindex "$O_DB" omindex -s french --overwrite --db "$O_DB" --url / \
            -M txt:text/plain "$CORPUS" ;;
    recoll) rm -rf "$R_DB"
        timed build "$2" recoll "$R_DB" recollindex -c "$W/recoll" -z ;;
    ceiling) rm -rf "$C_DB"
        timed build "$2" ceiling "$C_DB" "$W/bin/xapian_ceiling" "$W/terms.bin" "$C_DB" ;;
    ceiling_parts) rm -rf "$CP_DB" # in parts merged, as polidex-index's one writer writes
        timed build "$2" ceiling_parts "$CP_DB" "$W/bin/xapian_ceiling" --part-bytes "$PART_BYTES" \
            "$W/terms.bin" "$CP_DB" ;;
    esac
}
update_one() { # measure tool run
    case $2 in
    polidex) timed "$1" "$3" polidex "$P_DB" "$BIN/polidex-index" -q -i "$P_DB" "$CORPUS" ;;
    omindex) timed "$1" "$3" omindex "$O_DB" omindex -s french --db "$O_DB" --url / \
            -M txt:text/plain "$CORPUS" ;;
    recoll) timed "$1" "$3" recoll "$R_DB" recollindex -c "$W/recoll" ;;
    esac
}

uptime_start=$(uptime)
for ((r = 1; r <= RUNS; r++)); do
    for t in $(order $r polidex omindex recoll ceiling polidex1 ceiling_parts); do
        say "full build, run $r: $t"
        build_one "$t" "$r"
    done
done
for ((r = 1; r <= RUNS; r++)); do
    for t in $(order $r polidex omindex recoll); do
        say "re-index, nothing changed, run $r: $t"
        update_one noop "$t" "$r"
    done
done
for ((r = 1; r <= RUNS; r++)); do
    # 1% of the files, a different 1% each run, replaced by a changed copy.
    awk -v r=$r 'NR % 100 == r' "$W/files.txt" | while IFS= read -r f; do
        { cat "$CORPUS/$f"; printf '\nTexte modifié pour le banc d’essai, passage %s.\n' "$r"; } \
            > "$CORPUS/$f.new" && mv "$CORPUS/$f.new" "$CORPUS/$f"
    done
    for t in $(order $r polidex omindex recoll); do
        say "re-index, 1% changed, run $r: $t"
        update_one change1 "$t" "$r"
    done
done

# ---- queries ----------------------------------------------------------------------
grep -v '^#' tests/bench/queries.txt | cut -f1 > "$W/queries.polidex"
grep -v '^#' tests/bench/queries.txt | cut -f2 > "$W/queries.quest"
NQ=$(wc -l < "$W/queries.polidex")
QT=$W/out/query-times.tsv # run tool seconds
: > "$QT"
# The two tools alternate query by query (the order turning each round): this machine's
# speed drifts within seconds, which a whole round of one tool then the other would
# count against whichever ran in the slower seconds. Rounds are cheap: at least five.
QRUNS=$((RUNS > 5 ? RUNS : 5))
for ((r = 1; r <= QRUNS; r++)); do
    say "queries, whole process, round $r of $QRUNS"
    while IFS= read -r q && IFS= read -r qq <&3; do
        for t in $(order $r polidex quest); do
            t0=$EPOCHREALTIME
            if [ $t = polidex ]; then
                "$BIN/polidex-search" -i "$P_DB" -n 10 --color never "$q" > /dev/null 2>&1 || true
            else
                quest -d "$O_DB" -s french -o and -m 10 -p title:S -b year:Y -b file:F "$qq" \
                    > /dev/null 2>&1 || true
            fi
            t1=$EPOCHREALTIME
            printf '%s\t%s\t%s\n' $r $t "$(awk -v a=$t0 -v b=$t1 'BEGIN { print b - a }')" >> "$QT"
        done
    done < "$W/queries.polidex" 3< "$W/queries.quest"
done
say "queries, in process: polidex-search --bench-queries"
"$BIN/polidex-search" --bench-queries "$W/queries.polidex" -i "$P_DB" -n 10 --repeat 20 \
    > "$W/out/bench-queries.txt"
INPROC=$(tail -1 "$W/out/bench-queries.txt")

# ---- extraction -------------------------------------------------------------------
for ((r = 1; r <= RUNS; r++)); do
    say "extraction, run $r"
    timed extract $r polidex "" sh -c "cd '$CORPUS' && xargs '$BIN/polidex-extract' < '$W/files.txt' > /dev/null"
done
uptime_end=$(uptime)

# ---- report -----------------------------------------------------------------------
# mawk has no asort: sort the column ourselves.
med() {
    awk -F'\t' -v m="$1" -v t="$2" -v c="$3" '$1 == m && $3 == t { print $c }' "$RES" | sort -g |
        awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit }
             print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
qmed() { # tool -> median per-query seconds over all runs
    awk -F'\t' -v t="$1" '$2 == t { print $3 }' "$QT" | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
mbs() { awk -v s="$1" -v mb="$MB" 'BEGIN { if (s == "-" || s == 0) print "-"; else printf "%.2f", mb / s }'; }
fmt_mb() { awk -v b="$1" 'BEGIN { if (b == "-") print "-"; else printf "%.1f", b / 1e6 }'; }
fmt_s() { awk -v s="$1" 'BEGIN { if (s == "-") print "-"; else printf "%.2f", s }'; }

if [ "$SMALL" = 1 ]; then OUT=$W/BENCHMARKS.small.md; else OUT=$TOP/BENCHMARKS.md; fi
OUT=${BENCH_OUT:-$OUT}
{
    pw=$(med build polidex 4)
    echo "# polidex benchmarks"
    echo
    echo "Generated by \`make bench\` (tests/bench/bench.sh$([ "$SMALL" = 1 ] && echo ' --small')) on $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Medians of $RUNS runs, tools alternating run by run; ratios are polidex/peer"
    echo "(for times and sizes < 1 is better for polidex; for MB/s > 1 is)."
    echo
    echo "## Machine and versions"
    echo
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; memory $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
    echo "- Load average at start: ${uptime_start##*average: }; at end: ${uptime_end##*average: }."
    echo "  The machine is shared with other engineers' builds and fuzzers: wall times are"
    echo "  noisy, CPU times (user + system) less so — both are given."
    echo "- $(uname -sr); Debian $(cat /etc/debian_version)"
    echo "- $("$BIN/polidex-search" --version); Xapian $(pkg-config --modversion xapian-core)"
    echo "- omindex/quest: xapian-omega $(dpkg-query -W -f='${Version}' xapian-omega), xapian-tools $(dpkg-query -W -f='${Version}' xapian-tools); recoll $(dpkg-query -W -f='${Version}' recollcmd 2>/dev/null || dpkg-query -W -f='${Version}' recoll)"
    echo "- Corpus: frhealth ($NFILES files, $MB MB$([ "$SMALL" = 1 ] && echo ', every tenth file'))"
    echo
    echo "## Results"
    echo
    echo "| measure | polidex | omindex | recollindex | ceiling | polidex/omindex | polidex/recoll | polidex/ceiling |"
    echo "|---|---|---|---|---|---|---|---|"
    ow=$(med build omindex 4) rw=$(med build recoll 4) cw=$(med build ceiling 4)
    # The ceiling is the faster of its two ways (one database; parts merged).
    cpw=$(med build ceiling_parts 4)
    cw=$(awk -v a=$cw -v b=$cpw 'BEGIN { print (b < a ? b : a) }')
    echo "| full build, wall s | $(fmt_s $pw) | $(fmt_s $ow) | $(fmt_s $rw) | $(fmt_s $cw) | $(ratio $pw $ow) | $(ratio $pw $rw) | $(ratio $pw $cw) |"
    echo "| the ceiling's two ways, wall s: one database, synced / parts of $((PART_BYTES / 1048576)) MB merged | | | | $(fmt_s $(med build ceiling 4)) / $(fmt_s $cpw) | | | |"
    echo "| full build, MB/s | $(mbs $pw) | $(mbs $ow) | $(mbs $rw) | $(mbs $cw) | $(ratio $(mbs $pw) $(mbs $ow)) | $(ratio $(mbs $pw) $(mbs $rw)) | $(ratio $(mbs $pw) $(mbs $cw)) |"
    pc=$(med build polidex 5) oc=$(med build omindex 5) rc=$(med build recoll 5) cc=$(med build ceiling 5)
    echo "| full build, CPU s (user+sys) | $pc | $oc | $rc | $cc | $(ratio $pc $oc) | $(ratio $pc $rc) | $(ratio $pc $cc) |"
    p1=$(med build polidex1 4) p1c=$(med build polidex1 5)
    echo "| full build with one writer (\`--jobs 1\`), MB/s | $(mbs $p1) | | | | $(ratio $(mbs $p1) $(mbs $ow)) | $(ratio $(mbs $p1) $(mbs $rw)) | $(ratio $(mbs $p1) $(mbs $cw)) |"
    echo "| full build with one writer, CPU s | $p1c | | | | $(ratio $p1c $oc) | $(ratio $p1c $rc) | $(ratio $p1c $cc) |"
    pr=$(med build polidex 6) or=$(med build omindex 6) rr=$(med build recoll 6) cr=$(med build ceiling 6)
    echo "| full build, peak RSS MB | $(awk -v k=$pr 'BEGIN{printf "%.0f", k/1024}') | $(awk -v k=$or 'BEGIN{printf "%.0f", k/1024}') | $(awk -v k=$rr 'BEGIN{printf "%.0f", k/1024}') | $(awk -v k=$cr 'BEGIN{printf "%.0f", k/1024}') | $(ratio $pr $or) | $(ratio $pr $rr) | $(ratio $pr $cr) |"
    ps=$(med build polidex 7) os=$(med build omindex 7) rs=$(med build recoll 7) cs=$(med build ceiling 7)
    echo "| index size on disk, MB | $(fmt_mb $ps) | $(fmt_mb $os) | $(fmt_mb $rs) | $(fmt_mb $cs) | $(ratio $ps $os) | $(ratio $ps $rs) | $(ratio $ps $cs) |"
    for m in noop change1; do
        [ $m = noop ] && label="re-index, nothing changed, wall s" || label="re-index, 1% changed, wall s"
        a=$(med $m polidex 4) b=$(med $m omindex 4) c=$(med $m recoll 4)
        echo "| $label | $(fmt_s $a) | $(fmt_s $b) | $(fmt_s $c) | | $(ratio $a $b) | $(ratio $a $c) | |"
    done
    qp=$(qmed polidex) qq=$(qmed quest)
    echo "| query, whole process, median ms ($NQ queries × $QRUNS, alternated query by query) | $(awk -v s=$qp 'BEGIN{printf "%.1f", s*1000}') | quest: $(awk -v s=$qq 'BEGIN{printf "%.1f", s*1000}') | | | $(ratio $qp $qq) | | |"
    echo "| query, in process (20 runs each), p50 / p99 ms | $(echo "$INPROC" | awk '{ print $6 " / " $10 }') | | | | | | |"
    ew=$(med extract polidex 4)
    echo "| polidex-extract, MB/s (wall) | $(mbs $ew) | | | | | | |"
    echo
    echo "## Targets (issue 6)"
    echo
    echo "Throughput is MB of text per second of wall time (medians of alternating runs):"
    echo "polidex and recollindex use several threads, so CPU time (user + system, summed over"
    echo "threads) is no measure of their throughput; it is given to show the work done."
    echo
    awk -v pw="$(mbs $pw)" -v ow="$(mbs $ow)" -v rw="$(mbs $rw)" -v cw="$(mbs $cw)" -v p1="$(mbs $p1)" \
        -v pc="$pc" -v oc="$oc" -v rc="$rc" -v cc="$cc" \
        -v pr="$pr" -v orss="$or" -v noop="$(med noop polidex 4)" -v qp="$qp" -v qq="$qq" \
        -v p99="$(echo "$INPROC" | awk '{ print $10 }')" -v ps="$ps" -v os="$os" -v ex="$(mbs $ew)" '
        function v(c) { return c ? "met" : "**missed**" }
        BEGIN {
            printf "| target | value | |\n|---|---|---|\n"
            printf "| full build ≥ 1.5× omindex throughput | %.2f× | %s |\n", pw / ow, v(pw / ow >= 1.5)
            printf "| full build ≥ 1.5× recollindex throughput | %.2f× | %s |\n", pw / rw, v(pw / rw >= 1.5)
            printf "| one writer ≥ 0.9× the raw-Xapian ceiling | %.2f× | %s |\n", p1 / cw, v(p1 / cw >= 0.9)
            printf "| parallel writers beyond the ceiling | %.2f× | %s |\n", pw / cw, v(pw / cw > 1)
            printf "| peak RSS ≤ omindex | %.2f× | %s |\n", pr / orss, v(pr <= orss)
            printf "| no-change re-index ≤ 1 s | %.2f s | %s |\n", noop, v(noop <= 1)
            printf "| whole-process query median ≤ quest | %.2f× | %s |\n", qp / qq, v(qp <= qq)
            printf "| in-process p99 ≤ 10 ms | %s ms | %s |\n", p99, v(p99 <= 10)
            printf "| index size ≤ omindex | %.2f× | %s |\n", ps / os, v(ps <= os)
            printf "| polidex-extract ≥ 15 MB/s | %s MB/s | %s |\n", ex, v(ex >= 15)
        }'
    echo
    echo "## Commands"
    echo
    echo '```sh'
    echo "polidex-index -q -i DB --rebuild CORPUS            # full build (DB removed first)"
    echo "polidex-index -q -i DB --rebuild -j 1 CORPUS       # full build, one writer"
    echo "polidex-index -q -i DB CORPUS                      # re-index"
    echo "omindex -s french --overwrite --db DB --url / -M txt:text/plain CORPUS   # full build"
    echo "omindex -s french --db DB --url / -M txt:text/plain CORPUS               # re-index"
    echo "recollindex -c CONFDIR -z    # full build; re-index without -z; recoll.conf:"
    echo "                             #   topdirs = CORPUS, indexstemminglanguages = french, noaspell = 1"
    echo "xapian_ceiling --dump POLIDEX_DB terms.bin   # once: polidex's terms, positions, values, data"
    echo "xapian_ceiling terms.bin DB                  # the ceiling: add_document, a commit"
    echo "                                             #   every 1 MB of source or 2000 documents,"
    echo "                                             #   unsynced (DB_DANGEROUS, DB_NO_SYNC), then"
    echo "                                             #   every file synced once at the end"
    echo "xapian_ceiling --part-bytes $PART_BYTES terms.bin DB  # the same in databases one after"
    echo "                                             #   the other (a new one after the document"
    echo "                                             #   that brings a part's source bytes to"
    echo "                                             #   $PART_BYTES, as polidex-index's default"
    echo "                                             #   --part-size), merged by the compactor"
    echo "                                             #   (the faster of the two is the ceiling)"
    echo "polidex-search -i DB -n 10 --color never 'QUERY'             # per query"
    echo "quest -d DB -s french -o and -m 10 -p title:S -b year:Y -b file:F 'QUERY'"
    echo "polidex-search --bench-queries QUERIES -i DB -n 10 --repeat 20    # in process"
    echo "cd CORPUS && xargs polidex-extract < FILES > /dev/null"
    echo '```'
    echo
    echo "Peak RSS and wall/CPU times from \`/usr/bin/time\`; sizes from \`du -sb\`. The 1%"
    echo "change appends a sentence to a different 1% of the files before each run (each"
    echo "tool sees the same change). Queries: tests/bench/queries.txt; whole-process time"
    echo "per query measured by bash (\$EPOCHREALTIME) around each process. Raw numbers:"
    echo "build/bench/results.tsv, build/bench/out/."
    echo
    cat tests/bench/NOTES.md
} > "$OUT"
say "wrote ${OUT#$TOP/}"
