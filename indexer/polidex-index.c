/*
 * polidex-index — index French text files into a polidex (Xapian) index.
 *
 * Only this file parses arguments, prints and exits; the work is done by the indexer
 * library (walk, document, analyzer, docbuild) and the shim.
 *
 * Modes: an update (the default) adds new files, replaces changed ones and removes the
 * documents of files that disappeared from the walked paths; --rebuild builds a new
 * index beside the old one and swaps it in; --dry-run reports what an update would do;
 * --status and --check describe an index. Writes go in batches inside transactions, so
 * an interrupted run leaves an index that holds whole documents only, and re-running
 * the command completes the job.
 */
#define _GNU_SOURCE /* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pdx_analyzer.h"
#include "pdx_docbuild.h"
#include "pdx_extract.h"
#include "pdx_heap.h"
#include "pdx_output.h"
#include "pdx_pipeline.h"
#include "pdx_prefetch.h"
#include "pdx_document.h"
#include "pdx_schema.h"
#include "pdx_shards.h"
#include "pdx_walk.h"
#include "xs.h"

#define PROG "polidex-index"

enum exit_code { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_INDEX = 4, EXIT_INTERNAL = 5 };

/* A Xapian transaction ends after this many changes or this many bytes of documents
 * stored, whichever comes first. Xapian holds a transaction's postings in in-memory maps
 * until the commit merges them into its B-trees; the larger those maps, the slower every
 * insertion into them: on the benchmark corpus, a commit every ~1 MB of text builds
 * faster than every 2000 documents (~3 MB), and peak memory stays small and bounded
 * whatever the documents' sizes. An interrupted run loses at most one batch. */
#define BATCH_DOCS 2000
#ifndef BATCH_BYTES /* -DBATCH_BYTES=N to measure another */
#define BATCH_BYTES (1024 * 1024)
#endif

/* The main thread's heap backed before anything else runs (see pdx_heap.h): updating one
 * file writes about 1 MB of it (its threads' heaps are their own). A long run touches far
 * more, and gains nothing from this nor loses anything. */
#define HEAP_PREFAULT (1024 * 1024)

/* Files in the pipeline at once, per worker: enough that the writer never waits for a
 * worker busy with a long document while others are done, and that a worker, woken
 * when a quarter of them wait, finds enough queued to ask the disk for their files
 * together (16 gave batches of three files, 64 of eight). */
#define PIPELINE_DEPTH_PER_WORKER 64

/* Bytes of files in the pipeline at once (unless one file alone is larger): the memory
 * taken by documents waiting to be stored stays bounded whatever their sizes. */
#define IN_FLIGHT_MAX (64LL * 1024 * 1024)

/* Files opened and asked of the kernel before their turn, at most: by the walk when it
 * analyses them itself (see read_ahead_file), else by the workers (open_job_early). */
#define READ_AHEAD 16

/* A rebuild by parts writes part K at INDEX.new-PID.part-K. */
#define PART_SUFFIX ".part-"

/* Files per part at least: a smaller rebuild is not worth more writers. */
#define PART_FILES_MIN 64

/* A rebuild with one writer (--jobs 0 or 1) starts a new database, a part, each time
 * this many bytes of documents are stored in the current one (--part-size). Xapian
 * merges each batch into its B-trees, and the larger they are, the more blocks each
 * commit reads and rewrites; the final compaction, which such a rebuild runs anyway,
 * merges parts as it would copy one database. On the benchmark corpus (62 MB) the
 * writer's block reads and writes (pread, pwrite of 8 KB) went from 371,507 and 348,164
 * in one database to 273,911 and 261,964 in two parts and 196,213 and 195,958 in four.
 * The parts are cut as the walk's files are stored, so that the files are walked once
 * and no part waits for the one before to be set up. */
#define ONE_WRITER_PART_BYTES 16777216

/* The most threads --jobs takes. The default is one per processor online, up to
 * JOBS_DEFAULT_MAX: each writer of a rebuild holds a batch and its own analyzer (tens
 * of MB), and more parts than that mostly add to the final merge. */
#define JOBS_MAX 64
#define JOBS_DEFAULT_MAX 8

/* The file, inside the index directory, naming the process that holds the write lock. */
#define WRITER_FILE "polidex.writer"

/* Skipped files listed one by one in the --json summary (the counts are always whole). */
#define JSON_SKIP_LIST_MAX 10000

/* A file modified this close (seconds) to being read may change again within the same
 * second of modification time: its mtime is stored as -1 so that the next run compares
 * its content instead of trusting size and time. */
#define RACY_SECONDS 2

/* Why a file was skipped; the ids are part of the --json summary. */
enum skip_reason {
    SKIP_TOO_LARGE,
    SKIP_UNREADABLE,
    SKIP_NOT_A_FILE,
    SKIP_LOOP,
    SKIP_BAD_NAME,
    SKIP_BINARY,
    SKIP_ENCODING,
    SKIP_EMPTY,
    SKIP_ANALYSIS,
    SKIP_COUNT
};

static const char *const skip_ids[SKIP_COUNT] = {"too_large",    "unreadable", "not_a_file",
                                                 "symlink_loop", "bad_name",   "binary",
                                                 "encoding",     "empty",      "analysis"};

struct options {
    const char *index;
    int rebuild;
    int dry_run;
    int keep_missing;
    int status;
    int check;
    int json;
    int quiet;
    int verbose;
    long long max_size;
    unsigned long long part_size; /* --part-size: a rebuild with one writer */
    unsigned shards;              /* --shards N; 0 when not given */
    unsigned jobs; /* --jobs N: threads (workers for an update, writers for a rebuild) */
    int compact;
};

/* A set of strings (unique-id terms seen by the walk), open addressing. */
struct strset {
    char **slots;
    size_t cap; /* a power of two, or 0 */
    size_t n;
};

/* A document of the index, as an update compares it with its file. */
struct known_doc {
    char *path;
    uint32_t docid;
    char size[24], mtime[24], hash[32]; /* the values stored with it ("" when unset) */
};

/* The documents of the index, read once per update from Xapian's value streams (one
 * sequential read per slot) instead of looked up file by file (three reads each). */
struct known {
    struct known_doc *docs; /* in docid order */
    size_t n, cap;
    size_t *slots; /* open addressing by path: 1 + index into docs; 0 is empty */
    size_t nslots; /* a power of two */
};

struct skipped {
    char *path;
    int reason;
    char *message;
};

struct job;

/* Where a part of a rebuild by parts starts: the entry of root number `root` at `path`. */
struct part_bound {
    int root;
    char *path;
};

struct run {
    const struct options *opt;
    const char *name; /* the database written, for messages: the index or one of its shards */
    uint32_t shard, nshards; /* a sharded index: this run indexes the files of one shard */
    int rc;                  /* a shard's run: its exit code */
    char **roots;
    int nroots;
    struct xs_wdb *wdb;        /* the index written (NULL in a dry run) */
    struct xs_db *rdb;         /* a dry run: the existing index, or NULL when there is none */
    int compare;               /* 1 when documents already indexed are looked up */
    struct pdx_pipeline *pipe; /* files read, analysed and built by workers */
    unsigned workers;          /* threads for the pipeline; 0: on the writer's thread */
    struct job *free_jobs;     /* jobs stored, kept for the next files */
    long long in_flight;       /* bytes of the files in the pipeline */
    int in_transaction;
    unsigned long batch;            /* changes in the current transaction */
    unsigned long long batch_bytes; /* bytes of documents stored in it */
    unsigned long added, replaced, removed, unchanged, skipped;
    unsigned long skip_count[SKIP_COUNT];
    struct skipped *skips;
    size_t nskips, skips_cap;
    unsigned long long bytes; /* bytes read from files (re)indexed or hashed */
    struct strset seen;       /* id terms of every file the walk reported */
    struct known known;       /* an update: the documents indexed before it */
    char **kept;              /* paths that could not be walked: nothing under them is removed */
    size_t nkept, kept_cap;
    int fatal; /* an index error: stop the walk */
    /* A part of a rebuild by several writers: it indexes the entries of the walk from
     * `from` (NULL: the first) up to `to` (excluded; NULL: to the end). */
    const struct part_bound *from, *to;
    int root_index; /* the root being walked */
    int part_done;  /* the walk reached `to` */
    /* Reading ahead (a rebuild that reads on the walking thread): the next files of the
     * walk, opened and asked of the kernel before their turn; see read_ahead_file. */
    struct ahead *ahead;
    struct pdx_prefetch *prefetch; /* the walk's, with `ahead` */
    size_t ahead_first, ahead_count;
    FILE *out;     /* messages about files: stderr, or a later part's buffer */
    char *out_buf; /* that buffer (open_memstream), printed when the earlier parts are */
    size_t out_len;
    struct run *parts; /* a rebuild by parts: all of them, for the progress */
    size_t nparts;
    /* A rebuild with one writer: a new part every `part_bytes` bytes of documents stored
     * (0: one database). Part 0 is the database the run opened, at `part_base`; part K
     * is `part_base`.part-K; `nparts_written` of them so far, the last one open. */
    unsigned long long part_bytes, part_stored;
    const char *part_base;
    int nparts_written;
    uint32_t parts_docs; /* documents in the parts closed */
    /* progress on a terminal (the counts done are read by part 0 from other threads) */
    int progress;
    unsigned long files_done, files_total;
    unsigned long long bytes_done, bytes_total;
    double next_progress;
    struct timespec started;
};

/* ---- messages ----------------------------------------------------------------------- */

static void msg(const char *fmt, ...)
{
    va_list ap;
    /* Shards are indexed by threads: each line is written whole. */
    flockfile(stderr);
    fprintf(stderr, PROG ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    funlockfile(stderr);
}

/* Writes a path for a human: bytes that are not UTF-8, and control characters, as \xNN
 * (a file name may hold anything but NUL and '/'). */
static void put_path(FILE *f, const char *path)
{
    size_t n = strlen(path), i = 0;
    while (i < n) {
        size_t ok = pdx_utf8_valid_prefix(path + i, n - i);
        for (size_t k = i; k < i + ok; k++) {
            unsigned char c = (unsigned char)path[k];
            if (c < 0x20 || c == 0x7F)
                fprintf(f, "\\x%02X", c);
            else
                fputc(c, f);
        }
        i += ok;
        if (i < n)
            fprintf(f, "\\x%02X", (unsigned char)path[i++]);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROG " [-i INDEX] [--rebuild | --dry-run] [--keep-missing] [--json]\n"
            "                     [--shards N] [-j N] [--max-size MB] [-q] [-v] PATH...\n"
            "       " PROG " [-i INDEX] --status [--json]\n"
            "       " PROG " [-i INDEX] --check\n"
            "       " PROG " [-i INDEX] --compact [--shards 1]\n"
            "Index the .txt files under each PATH (files named explicitly are indexed\n"
            "whatever their name) into a polidex index. By default the index is updated:\n"
            "new files are added, changed files replaced, and the documents of files that\n"
            "disappeared from under the PATHs are removed.\n"
            "\n"
            "  -i, --index DIR    index directory (default: $POLIDEX_INDEX, else ./polidex.db)\n"
            "      --rebuild      build a fresh index beside the old one and swap it in\n"
            "      --dry-run      say what would be added, replaced and removed; change nothing\n"
            "      --keep-missing keep the documents of files that disappeared\n"
            "      --shards N     a new index (or --rebuild) split into N shards (1-64), each\n"
            "                     written by its own thread; an existing index keeps its own\n"
            "  -j, --jobs N       threads (default: one per processor, up to 8): an update has N\n"
            "                     threads read and analyse files for its writer; a rebuild runs\n"
            "                     N writers at once, each on its share of the files (with 1,\n"
            "                     one writer writes them in turn); 0: one thread does everything\n"
            "      --compact      rewrite the index compactly with Xapian's compactor and swap\n"
            "                     it in; with --shards 1, merge a sharded index into one\n"
            "      --max-size MB  skip files larger than this (default 64)\n"
            "      --part-size MB a rebuild with one writer (-j 0 or 1) starts a new part\n"
            "                     each time it has stored this much (default 16; decimals\n"
            "                     allowed), and merges the parts at the end\n"
            "      --json         print the summary as one JSON object on stdout\n"
            "      --status       describe the index (documents, size, versions, last build)\n"
            "      --check        check the index's consistency and its documents' sources\n"
            "  -q, --quiet        no progress, no summary\n"
            "  -v, --verbose      one line per file indexed, with its encoding\n"
            "  -h, --help         this help;  --version  the version\n"
            "\n"
            "Exit codes: 0 success, 2 usage error, 3 some files skipped (bad input data;\n"
            "the rest is indexed) or, with --check, sources missing or changed, 4 index or\n"
            "I/O error (missing, locked, damaged, built by another version), 5 internal error.\n");
}

static double elapsed(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static void clear_progress(const struct run *r)
{
    if (r->progress)
        fputs("\r\033[K", stderr);
}

static void show_progress(struct run *r, int final)
{
    if (!r->progress)
        return;
    double t = elapsed(&r->started);
    if (!final && t < r->next_progress)
        return;
    r->next_progress = t + 0.2;
    unsigned long files = 0;
    unsigned long long bytes = 0;
    const struct run *all = r->parts ? r->parts : r;
    for (size_t k = 0; k < (r->parts ? r->nparts : 1); k++) {
        files += __atomic_load_n(&all[k].files_done, __ATOMIC_RELAXED);
        bytes += __atomic_load_n(&all[k].bytes_done, __ATOMIC_RELAXED);
    }
    double mb = (double)bytes / 1e6;
    double rate = t > 0 ? mb / t : 0.0;
    fprintf(stderr, "\r\033[K%lu/%lu files, %.1f/%.1f MB, %.1f MB/s", files, r->files_total, mb,
            (double)r->bytes_total / 1e6, rate);
    if (!final && rate > 0 && r->bytes_total > bytes) {
        double left = (double)(r->bytes_total - bytes) / 1e6 / rate;
        fprintf(stderr, ", %.0f s left", left);
    }
    if (final)
        fputc('\n', stderr);
}

/* ---- a set of strings --------------------------------------------------------------- */

static size_t str_hash(const char *s, size_t len)
{
    size_t h = 1469598103934665603ULL & (size_t)-1;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * (size_t)1099511628211ULL;
    return h;
}

static size_t strset_slot(const struct strset *set, const char *s, size_t len)
{
    size_t i = str_hash(s, len) & (set->cap - 1);
    while (set->slots[i] != NULL &&
           !(strlen(set->slots[i]) == len && memcmp(set->slots[i], s, len) == 0))
        i = (i + 1) & (set->cap - 1);
    return i;
}

static int strset_has(const struct strset *set, const char *s, size_t len)
{
    return set->cap != 0 && set->slots[strset_slot(set, s, len)] != NULL;
}

/* Adds a copy of s[0, len) (no NUL inside). Returns 1 when it was added, 0 when it was
 * there already, -1 when out of memory. */
static int strset_add(struct strset *set, const char *s, size_t len)
{
    if ((set->n + 1) * 2 > set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 1024;
        char **slots = calloc(ncap, sizeof *slots);
        if (slots == NULL)
            return -1;
        struct strset grown = {slots, ncap, set->n};
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i] != NULL)
                slots[strset_slot(&grown, set->slots[i], strlen(set->slots[i]))] = set->slots[i];
        free(set->slots);
        *set = grown;
    }
    size_t i = strset_slot(set, s, len);
    if (set->slots[i] != NULL)
        return 0;
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    set->slots[i] = copy;
    set->n++;
    return 1;
}

static void strset_free(struct strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

/* Appends a copy of `s` to a growable array of strings. Returns 0 or -1. */
static int push_string(char ***items, size_t *n, size_t *cap, const char *s)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        char **grown = realloc(*items, ncap * sizeof *grown);
        if (grown == NULL)
            return -1;
        *items = grown;
        *cap = ncap;
    }
    char *copy = strdup(s);
    if (copy == NULL)
        return -1;
    (*items)[(*n)++] = copy;
    return 0;
}

/* ---- files -------------------------------------------------------------------------- */

/* Reads a whole file of at most `max` bytes, from `fd` when it is open already (then it
 * is closed here) or else opened at `path`; returns 0, EFBIG when it grew past `max`,
 * or an errno value. */
static int read_file(const char *path, int fd, long long size_hint, long long max, char **out,
                     size_t *len)
{
    if (fd < 0 && (fd = open(path, O_RDONLY | O_NOCTTY)) < 0)
        return errno;
    size_t cap = size_hint > 0 ? (size_t)size_hint + 1 : 4096;
    char *buf = malloc(cap);
    size_t n = 0;
    int err = 0;
    if (!buf) {
        close(fd);
        return ENOMEM;
    }
    for (;;) {
        if (n == cap) {
            if ((long long)cap > max) {
                err = EFBIG;
                break;
            }
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                err = ENOMEM;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (!err && (long long)n > max)
        err = EFBIG;
    if (err) {
        free(buf);
        return err;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Opens the file at `path`, of `size` bytes as the walk saw it, and asks the kernel for
 * its content through `pf` (sent with the next files asked for, or at the next
 * pdx_prefetch_submit), which arrives while the files before it are prepared; -1 when
 * there is nothing to read or it cannot be opened (its reader will open it and say
 * why). */
static int open_ahead(const char *path, long long size, long long max_size, struct pdx_prefetch *pf)
{
    if (size <= 0 || size > max_size)
        return -1;
    /* Non-blocking open: the file may have become a FIFO since the walk saw it. */
    int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0)
        pdx_prefetch_add(pf, fd, size);
    return fd;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int remove_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Joins dir + "/" + name into buf; returns 0, or -1 when it does not fit. */
static int join_path(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* 1 when `dir` holds a Xapian database (or is an empty directory), so that replacing it
 * can lose nothing but an index. */
static int is_index_dir(const char *dir)
{
    char p[4096];
    static const char *const marks[] = {"iamglass", "iamchert", "iamhoney", PDX_SHARD_STUB};
    struct stat st;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (join_path(p, sizeof p, dir, marks[i]) == 0 && stat(p, &st) == 0)
            return 1;
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    struct dirent *de;
    int empty = 1;
    while (empty && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    return empty;
}

/* 1 when every entry of `dir` is a file that Xapian or polidex writes into an index
 * (an interrupted creation may lack the version file that is_index_dir looks for). */
static int holds_only_index_files_at(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    struct dirent *de;
    int only = 1;
    while (only && (de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        size_t len = strlen(n);
        only = strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, "flintlock") == 0 ||
               strncmp(n, "iam", 3) == 0 || strncmp(n, WRITER_FILE, strlen(WRITER_FILE)) == 0 ||
               strncmp(n, PDX_SHARD_STUB, strlen(PDX_SHARD_STUB)) == 0 ||
               (len > 6 && strcmp(n + len - 6, ".glass") == 0) ||
               (len > 4 && strcmp(n + len - 4, ".tmp") == 0);
        /* A sharded index: its shards, one level down. */
        size_t plen = strlen(PDX_SHARD_PREFIX);
        char sub[4096];
        if (!only && len > plen && strncmp(n, PDX_SHARD_PREFIX, plen) == 0 &&
            strspn(n + plen, "0123456789") == len - plen && join_path(sub, sizeof sub, dir, n) == 0)
            only = depth < 1 && holds_only_index_files_at(sub, depth + 1);
    }
    closedir(d);
    return only;
}

static int holds_only_index_files(const char *dir)
{
    return holds_only_index_files_at(dir, 0);
}

/* The total size of the files directly inside `dir` (a Xapian database is flat). */
static long long dir_size(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    long long total = 0;
    struct dirent *de;
    char p[4096];
    struct stat st;
    while ((de = readdir(d)) != NULL)
        if (join_path(p, sizeof p, dir, de->d_name) == 0 && lstat(p, &st) == 0 &&
            S_ISREG(st.st_mode))
            total += (long long)st.st_size;
    closedir(d);
    return total;
}

/* ---- the writer's pid ---------------------------------------------------------------- */

static void write_writer_file(const char *dir)
{
    char p[4096], tmp[4160], pid[32];
    if (join_path(p, sizeof p, dir, WRITER_FILE) != 0)
        return;
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", p);
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp || len < 0)
        return;
    /* Written aside and renamed, so that a reader never sees half a number. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    ssize_t w = write(fd, pid, (size_t)len);
    close(fd);
    if (w != len || rename(tmp, p) != 0)
        unlink(tmp);
}

static void remove_writer_file(const char *dir)
{
    char p[4096];
    if (join_path(p, sizeof p, dir, WRITER_FILE) == 0)
        unlink(p);
}

/* The pid named by the writer file of `dir` when that process is alive, else 0. A file
 * left by a killed writer names a dead process (or, rarely, a reused pid). */
static long writer_pid(const char *dir)
{
    char p[4096], buf[32];
    if (join_path(p, sizeof p, dir, WRITER_FILE) != 0)
        return 0;
    int fd = open(p, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *end;
    errno = 0;
    long pid = strtol(buf, &end, 10);
    if (errno || end == buf || pid <= 0 || (*end != '\n' && *end != '\0'))
        return 0;
    if (kill((pid_t)pid, 0) != 0 && errno != EPERM)
        return 0;
    return pid;
}

static void report_lock(const char *index)
{
    long pid = writer_pid(index);
    if (pid > 0)
        msg("%s: locked by another writer (" PROG ", pid %ld); try again when it has finished",
            index, pid);
    else
        msg("%s: locked by another writer (pid unknown); try again when it has finished", index);
}

/* 1 when `s` is PART_SUFFIX followed by digits only. */
static int is_part_suffix(const char *s)
{
    size_t n = strlen(PART_SUFFIX);
    if (strncmp(s, PART_SUFFIX, n) != 0 || s[n] == '\0')
        return 0;
    return strspn(s + n, "0123456789") == strlen(s + n);
}

/* Removes what interrupted rebuilds of `index` left beside it (INDEX.new-PID whose
 * process is gone). Called while holding the index's write lock, which every rebuild
 * holds while it runs. */
static void remove_stale_rebuilds(const char *index)
{
    char dir[4096];
    const char *slash = strrchr(index, '/');
    const char *base = slash ? slash + 1 : index;
    int n = slash ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - index), index)
                  : snprintf(dir, sizeof dir, ".");
    if (n < 0 || (size_t)n >= sizeof dir)
        return;
    if (dir[0] == '\0')
        snprintf(dir, sizeof dir, "/");
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    size_t blen = strlen(base);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, base, blen) != 0 || strncmp(de->d_name + blen, ".new-", 5) != 0)
            continue;
        char *end;
        errno = 0;
        long pid = strtol(de->d_name + blen + 5, &end, 10);
        /* INDEX.new-PID, INDEX.new-PID.compact from a rebuild killed while compacting, or
         * INDEX.new-PID.part-K from one killed while writing by parts */
        if (errno || (*end != '\0' && strcmp(end, ".compact") != 0 && !is_part_suffix(end)) ||
            pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
            continue; /* still running (it cannot be: we hold the lock), leave it */
        char p[4096];
        if (join_path(p, sizeof p, dir, de->d_name) == 0 && holds_only_index_files(p))
            remove_tree(p);
    }
    closedir(d);
}

/* ---- versions and metadata ----------------------------------------------------------- */

struct meta_reader {
    struct xs_db *db;
    struct xs_wdb *wdb;
};

static int meta_get(const struct meta_reader *m, const char *key, const char **v, size_t *len,
                    struct xs_error *err)
{
    if (m->wdb)
        return xs_wdb_get_metadata(m->wdb, key, strlen(key), v, len, err);
    return xs_db_get_metadata(m->db, key, strlen(key), v, len, err);
}

/* Refuses an index whose terms were made by another schema or analyzer. */
static int read_meta(void *ctx, const char *key, const char **v, size_t *len)
{
    struct xs_error err;
    return meta_get(ctx, key, v, len, &err);
}

static int check_versions(const struct meta_reader *m, const char *index)
{
    struct xs_error err;
    uint32_t count = 0;
    int rc = m->wdb ? xs_wdb_doccount(m->wdb, &count, &err) : xs_db_doccount(m->db, &count, &err);
    if (rc != 0) {
        msg("%s: %s", index, err.message);
        return EXIT_INDEX;
    }
    char why[128];
    rc = pdx_check_versions(read_meta, (void *)m, count == 0, why, sizeof why);
    if (rc < 0) {
        msg("%s: cannot read its versions", index);
        return EXIT_INDEX;
    }
    if (rc > 0) {
        msg("%s: %s; run '" PROG " --rebuild -i %s PATH...'", index, why, index);
        return EXIT_INDEX;
    }
    return 0;
}

static int set_meta(struct xs_wdb *db, const char *key, const char *value, struct xs_error *err)
{
    return xs_wdb_set_metadata(db, key, strlen(key), value, strlen(value), err);
}

/* The versions go in first, so that an interrupted first run leaves an index that the
 * next run recognises; the build time and mode are written at the end of a run. */
static int write_versions(struct xs_wdb *db, struct xs_error *err)
{
    if (set_meta(db, PDX_META_SCHEMA, PDX_SCHEMA_VERSION, err) != 0 ||
        set_meta(db, PDX_META_ANALYZER, PDX_ANALYZER_VERSION, err) != 0 ||
        set_meta(db, PDX_META_TOOL, PROG " " PDX_TOOL_VERSION, err) != 0)
        return -1;
    return 0;
}

static int write_build_info(struct xs_wdb *db, const char *mode, struct xs_error *err)
{
    char built[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(built, sizeof built, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (write_versions(db, err) != 0 || set_meta(db, PDX_META_MODE, mode, err) != 0)
        return -1;
    return set_meta(db, PDX_META_BUILT, built, err);
}

/* ---- the documents an update knows --------------------------------------------------- */

/* A value stream being read into the table: which field, and where the merge is. */
struct known_reader {
    struct known *k;
    unsigned slot;
    size_t at;
    int failed;
};

static int read_known_value(void *ctx, uint32_t docid, const char *v, size_t len)
{
    struct known_reader *kr = ctx;
    struct known *k = kr->k;
    if (kr->slot == PDX_SLOT_PATH) {
        if (k->n == k->cap) {
            size_t ncap = k->cap ? k->cap * 2 : 1024;
            struct known_doc *grown = realloc(k->docs, ncap * sizeof *grown);
            if (grown == NULL)
                return kr->failed = 1;
            k->docs = grown;
            k->cap = ncap;
        }
        char *path = malloc(len + 1);
        if (path == NULL)
            return kr->failed = 1;
        memcpy(path, v, len);
        path[len] = '\0';
        k->docs[k->n++] = (struct known_doc){.path = path, .docid = docid};
        return 0;
    }
    /* Both streams are in docid order: merge. */
    while (kr->at < k->n && k->docs[kr->at].docid < docid)
        kr->at++;
    if (kr->at == k->n || k->docs[kr->at].docid != docid)
        return 0; /* a document without a path: not one polidex wrote */
    struct known_doc *d = &k->docs[kr->at];
    char *field = kr->slot == PDX_SLOT_SIZE    ? d->size
                  : kr->slot == PDX_SLOT_MTIME ? d->mtime
                                               : d->hash;
    size_t size = kr->slot == PDX_SLOT_SIZE    ? sizeof d->size
                  : kr->slot == PDX_SLOT_MTIME ? sizeof d->mtime
                                               : sizeof d->hash;
    if (len >= size)
        len = size - 1;
    memcpy(field, v, len);
    field[len] = '\0';
    return 0;
}

/* Reads the documents of the index being updated (r->wdb, or r->rdb in a dry run).
 * Returns 0, or -1 with `err` set (err->code 0: out of memory). */
static int read_known(struct run *r, struct xs_error *err)
{
    static const unsigned slots[] = {PDX_SLOT_PATH, PDX_SLOT_SIZE, PDX_SLOT_MTIME, PDX_SLOT_HASH};
    struct known *k = &r->known;
    err->code = 0;
    snprintf(err->message, sizeof err->message, "out of memory");
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        struct known_reader kr = {.k = k, .slot = slots[i]};
        int rc = r->wdb ? xs_wdb_values(r->wdb, slots[i], read_known_value, &kr, err)
                        : xs_db_values(r->rdb, slots[i], read_known_value, &kr, err);
        if (rc != 0)
            return -1;
        if (kr.failed)
            return -1; /* out of memory, as err says */
    }
    size_t n = 1024;
    while (n < k->n * 2)
        n *= 2;
    if ((k->slots = calloc(n, sizeof *k->slots)) == NULL)
        return -1;
    k->nslots = n;
    for (size_t i = 0; i < k->n; i++) {
        size_t h = str_hash(k->docs[i].path, strlen(k->docs[i].path)) & (n - 1);
        while (k->slots[h] != 0)
            h = (h + 1) & (n - 1);
        k->slots[h] = i + 1;
    }
    return 0;
}

/* The document indexed for `path`, or NULL. */
static const struct known_doc *known_find(const struct known *k, const char *path)
{
    if (k->nslots == 0)
        return NULL;
    for (size_t h = str_hash(path, strlen(path)) & (k->nslots - 1); k->slots[h] != 0;
         h = (h + 1) & (k->nslots - 1))
        if (strcmp(k->docs[k->slots[h] - 1].path, path) == 0)
            return &k->docs[k->slots[h] - 1];
    return NULL;
}

static void known_free(struct known *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->docs[i].path);
    free(k->docs);
    free(k->slots);
    *k = (struct known){0};
}

/* ---- indexing ------------------------------------------------------------------------ */

static void skip(struct run *r, const char *path, int reason, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    r->skipped++;
    r->skip_count[reason]++;
    flockfile(r->out);
    clear_progress(r);
    fputs(PROG ": ", r->out);
    put_path(r->out, path);
    fprintf(r->out, ": %s, skipped\n", why);
    funlockfile(r->out);
    if (r->opt->json && r->nskips < JSON_SKIP_LIST_MAX) {
        if (r->nskips == r->skips_cap) {
            size_t ncap = r->skips_cap ? r->skips_cap * 2 : 16;
            struct skipped *grown = realloc(r->skips, ncap * sizeof *grown);
            if (grown == NULL)
                return;
            r->skips = grown;
            r->skips_cap = ncap;
        }
        char *p = strdup(path), *m = strdup(why);
        if (p == NULL || m == NULL) {
            free(p);
            free(m);
            return;
        }
        r->skips[r->nskips++] = (struct skipped){p, reason, m};
    }
}

static int begin_batch(struct run *r)
{
    struct xs_error err;
    if (r->in_transaction)
        return 0;
    if (xs_wdb_begin(r->wdb, &err) != 0) {
        msg("%s: %s", r->name, err.message);
        return -1;
    }
    r->in_transaction = 1;
    return 0;
}

static int commit_batch(struct run *r)
{
    struct xs_error err;
    if (!r->in_transaction)
        return 0;
    r->in_transaction = 0;
    r->batch = 0;
    r->batch_bytes = 0;
    if (xs_wdb_commit_transaction(r->wdb, &err) != 0) {
        msg("%s: commit failed: %s", r->name, err.message);
        return -1;
    }
    return 0;
}

/* Counts one change of `bytes` bytes in the current batch, committing the batch when it
 * is full. */
static int batch_done(struct run *r, size_t bytes)
{
    r->batch_bytes += bytes;
    if ((++r->batch >= BATCH_DOCS || r->batch_bytes >= BATCH_BYTES) && commit_batch(r) != 0)
        return -1;
    return 0;
}

/* The path of part `k` of a rebuild by parts, beside `base`. Returns 0, or -1 when too
 * long. */
static int part_path(char *buf, size_t size, const char *base, int k)
{
    int n = snprintf(buf, size, "%s" PART_SUFFIX "%d", base, k);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Creates the database of a part of a rebuild, as scratch, with the versions recorded.
 * Returns 0, or -1 with `err` set (then *wdb may be open: the caller closes it). */
static int open_part(const char *path, struct xs_wdb **wdb, struct xs_error *err)
{
    if (xs_wdb_open(path, XS_WDB_CREATE_SCRATCH, wdb, err) != 0 || write_versions(*wdb, err) != 0 ||
        xs_wdb_commit(*wdb, err) != 0)
        return -1;
    return 0;
}

/* A rebuild with one writer: finishes the part being written (its last batch and its
 * build information, as the run's end does for the last part) and opens the next one.
 * Returns 0, or -1 (reported). */
static int next_part(struct run *r)
{
    struct xs_error err;
    uint32_t count = 0;
    if (commit_batch(r) != 0)
        return -1;
    if (write_build_info(r->wdb, "rebuild", &err) != 0 || xs_wdb_commit(r->wdb, &err) != 0 ||
        xs_wdb_doccount(r->wdb, &count, &err) != 0) {
        msg("%s: %s", r->name, err.message);
        return -1;
    }
    r->parts_docs += count;
    xs_wdb_close(r->wdb);
    r->wdb = NULL;
    char path[4096];
    if (part_path(path, sizeof path, r->part_base, r->nparts_written) != 0) {
        msg("%s: index path too long", r->name);
        return -1;
    }
    /* Counted before it is opened, so that a part half made is removed with the others. */
    r->nparts_written++;
    if (open_part(path, &r->wdb, &err) != 0) {
        msg("%s: cannot write a part of the rebuild: %s", r->name, err.message);
        return -1;
    }
    r->part_stored = 0;
    return 0;
}

static int index_error(struct run *r, const char *what, const struct xs_error *err)
{
    clear_progress(r);
    msg("%s: %s: %s", r->name, what, err->message);
    r->fatal = EXIT_INDEX;
    return r->fatal;
}

/* ---- preparing documents (on the workers) ------------------------------------------ */

/* What preparing a file came to. */
enum job_outcome {
    JOB_STORE,   /* `doc` holds the document to store */
    JOB_TOUCHED, /* the content indexed already: only the modification time is new */
    JOB_DRY,     /* a dry run: the file would be stored */
    JOB_SKIP,    /* bad input: `reason` and `message` say why */
    JOB_FATAL    /* the analyzer or the extractors could not start: `message` says why */
};

/* One file on its way from the walk to the index. The writer's thread fills the first
 * part from the walk and the index; a worker prepares the rest; the writer's thread
 * stores it, in walk order. */
struct job {
    struct job *next; /* the run's free list */
    char *path;
    int fd; /* the file, opened when the walk read it ahead; else -1 */
    long long size, walk_mtime, max_size;
    uint32_t docid;       /* its document, 0 when new */
    char stored_hash[32]; /* the content hash stored with it, "" when none */
    int dry_run;
    int decided; /* skipped already by the walk: nothing to prepare, only to report */
    /* prepared */
    int outcome;
    int reason;
    char message[512];
    const char *encoding; /* static */
    long long mtime;      /* to store: -1 when too recent to be trusted */
    size_t len;           /* bytes read */
    size_t limit_errors;  /* extraction matches that hit a PCRE2 limit */
    int incomplete;       /* the extraction stopped early */
    struct xs_doc *doc;   /* the document built (kept with the job and reused) */
};

/* A worker's own analyzer and extractors, started with its first document: a run that
 * finds nothing new does without them. */
struct prep_state {
    struct pdx_analyzer *analyzer;
    struct pdx_extractor *extractor;
    struct pdx_prefetch *prefetch; /* for the jobs it starts early */
};

static void prep_state_fini(void *state)
{
    struct prep_state *st = state;
    pdx_prefetch_free(st->prefetch);
    pdx_extractor_free(st->extractor);
    pdx_analyzer_free(st->analyzer);
}

static void job_fail(struct job *j, int outcome, int reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->message, sizeof j->message, fmt, ap);
    va_end(ap);
    j->outcome = outcome;
    j->reason = reason;
}

/* Says why a decoded file is not a document. */
static void decode_failure(struct job *j, int status, const char *bytes, size_t len, size_t bad)
{
    if (status == PDX_DOC_INVALID_UTF8)
        job_fail(j, JOB_SKIP, SKIP_ENCODING,
                 "invalid UTF-8 at byte %zu (and not recognisably Latin-1 or Windows-1252)", bad);
    else if (status == PDX_DOC_INVALID_UTF16)
        job_fail(j, JOB_SKIP, SKIP_ENCODING, "invalid UTF-16 at byte %zu", bad);
    else if (status == PDX_DOC_BINARY)
        job_fail(j, JOB_SKIP, SKIP_BINARY, "binary file (%s at byte %zu)",
                 bad < len && bytes[bad] == '\0' ? "NUL byte" : "control characters", bad);
    else if (status == PDX_DOC_EMPTY)
        job_fail(j, JOB_SKIP, SKIP_EMPTY, "empty document (no text)");
    else
        job_fail(j, JOB_SKIP, SKIP_ANALYSIS, "%s", pdx_document_status_message(status));
}

/* Reads, decodes, extracts and builds one file's document (a pdx_job_fn). */
static void prepare_job(void *state, void *job)
{
    struct prep_state *st = state;
    struct job *j = job;
    if (j->decided)
        return;
    j->len = 0;
    j->limit_errors = 0;
    j->incomplete = 0;
    j->encoding = "";
    char *bytes = NULL;
    size_t len = 0;
    int errnum = read_file(j->path, j->fd, j->size, j->max_size, &bytes, &len);
    j->fd = -1; /* closed by read_file */
    if (errnum == EFBIG) {
        job_fail(j, JOB_SKIP, SKIP_TOO_LARGE, "file too large (grew past the limit of %lld bytes)",
                 j->max_size);
        return;
    }
    if (errnum) {
        char buf[128];
        job_fail(j, JOB_SKIP, SKIP_UNREADABLE, "cannot read: %s",
                 strerror_r(errnum, buf, sizeof buf));
        return;
    }
    j->len = len;
    j->mtime = j->walk_mtime + RACY_SECONDS >= (long long)time(NULL) ? -1 : j->walk_mtime;
    char hash[17];
    pdx_content_hash(bytes, len, hash);
    if (j->docid && strcmp(hash, j->stored_hash) == 0) {
        j->outcome = JOB_TOUCHED; /* touched, not changed */
        free(bytes);
        return;
    }
    struct pdx_document doc = {0};
    size_t bad = 0;
    int status = pdx_document_decode(bytes, len, &doc, &bad);
    if (status != PDX_DOC_OK) {
        decode_failure(j, status, bytes, len, bad);
        free(bytes);
        return;
    }
    j->encoding = doc.encoding;
    if (j->dry_run) {
        j->outcome = JOB_DRY;
    } else {
        char why[512];
        if (st->extractor == NULL &&
            (st->extractor = pdx_extractor_new(NULL, NULL, why, sizeof why)) == NULL)
            job_fail(j, JOB_FATAL, 0, "cannot start the extractors: %s", why);
        else if (st->analyzer == NULL && (st->analyzer = pdx_analyzer_new(why, sizeof why)) == NULL)
            job_fail(j, JOB_FATAL, 0, "cannot start the analyzer: %s", why);
        else {
            /* What the extractors find becomes filter terms; an extraction that runs out
             * of memory still indexes what it found. */
            struct pdx_extraction found = {0};
            int xrc = pdx_extract(st->extractor, doc.text, doc.len, NULL, PDX_EXTRACT_ALL, &found);
            j->incomplete = xrc != PDX_EXTRACT_OK || found.limit_errors;
            j->limit_errors = found.limit_errors;
            struct pdx_docbuild_input in = {.path = j->path,
                                            .doc = &doc,
                                            .hash = hash,
                                            .size = (long long)len,
                                            .mtime = j->mtime,
                                            .date = NULL,
                                            .extraction = &found};
            if (pdx_docbuild(st->analyzer, &in, j->doc, why, sizeof why) != 0)
                job_fail(j, JOB_SKIP, SKIP_ANALYSIS, "%s", why);
            else
                j->outcome = JOB_STORE;
            pdx_extraction_free(&found);
        }
    }
    pdx_document_free(&doc);
    free(bytes);
}

/* ---- storing documents (on the writer's thread) ----------------------------------- */

/* Writes "PROG: PATH: what" as one line, for --verbose. */
static void tell_file(struct run *r, const char *path, const char *fmt, ...)
{
    va_list ap;
    flockfile(r->out);
    clear_progress(r);
    fputs(PROG ": ", r->out);
    put_path(r->out, path);
    fputs(": ", r->out);
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
    fputc('\n', r->out);
    funlockfile(r->out);
}

/* Stores what a worker prepared (or reports why it could not be). */
static void store_job(struct run *r, struct job *j)
{
    struct xs_error err;
    r->bytes += j->len;
    switch (j->outcome) {
    case JOB_FATAL:
        clear_progress(r);
        msg("%s", j->message);
        r->fatal = EXIT_INTERNAL;
        return;
    case JOB_SKIP:
        skip(r, j->path, j->reason, "%s", j->message);
        return;
    case JOB_TOUCHED: {
        /* Remember the new time, so that the next run trusts it. */
        r->unchanged++;
        if (r->opt->dry_run)
            return;
        char num[32];
        int n = snprintf(num, sizeof num, "%lld", j->mtime);
        if (begin_batch(r) != 0)
            r->fatal = EXIT_INDEX;
        else if (xs_wdb_set_value(r->wdb, j->docid, PDX_SLOT_MTIME, num, (size_t)n, &err) != 0)
            index_error(r, "cannot update a document", &err);
        else if (batch_done(r, 0) != 0)
            r->fatal = EXIT_INDEX;
        return;
    }
    case JOB_DRY:
        if (!r->opt->json) {
            printf("%s ", j->docid ? "replace" : "add");
            put_path(stdout, j->path);
            printf(" (%s)\n", j->encoding);
        }
        if (j->docid)
            r->replaced++;
        else
            r->added++;
        return;
    default:
        break;
    }
    if (r->opt->verbose && j->incomplete)
        tell_file(r, j->path, "extraction incomplete (%zu matches hit a limit)", j->limit_errors);
    /* A part ends with the document that brings it to its size, the next begins with the
     * next document stored. */
    if (r->part_bytes && r->part_stored >= r->part_bytes && next_part(r) != 0) {
        r->fatal = EXIT_INDEX;
        return;
    }
    if (begin_batch(r) != 0) {
        r->fatal = EXIT_INDEX;
        return;
    }
    /* A rebuild writes into a new database, and the walk indexes each file once: adding
     * spares the lookup of the id that replacing costs. */
    int rc;
    if (r->compare) {
        char idterm[PDX_IDTERM_MAX + 1];
        size_t idlen = pdx_idterm(j->path, idterm, sizeof idterm);
        rc = xs_wdb_replace(r->wdb, idterm, idlen, j->doc, NULL, &err);
    } else {
        rc = xs_wdb_add(r->wdb, j->doc, NULL, &err);
    }
    if (rc != 0) {
        index_error(r, "cannot store a document", &err);
        return;
    }
    if (j->docid)
        r->replaced++;
    else
        r->added++;
    if (r->opt->verbose)
        tell_file(r, j->path, "%s (%s)", j->docid ? "replaced" : "added", j->encoding);
    r->part_stored += j->len;
    if (batch_done(r, j->len) != 0)
        r->fatal = EXIT_INDEX;
}

/* Opens the files of jobs queued for the workers and asks the kernel for their contents,
 * all in one go, before a worker comes to them (the pipeline's `ahead`). A worker
 * reading each file only when it came to it waited for the disk once per file, and on a
 * cold cache fell behind the writer; asked for one at a time, neighbouring files still
 * cost the disk a request each (see pdx_prefetch.h). */
static void open_jobs_early(void *state, void *const *jobs, size_t n)
{
    struct prep_state *st = state;
    if (st->prefetch == NULL) /* and if still NULL (out of memory): one file at a time */
        st->prefetch = pdx_prefetch_new(READ_AHEAD);
    for (size_t i = 0; i < n; i++) {
        struct job *j = jobs[i];
        if (!j->decided && j->fd < 0)
            j->fd = open_ahead(j->path, j->size, j->max_size, st->prefetch);
    }
    pdx_prefetch_submit(st->prefetch);
}

static struct job *job_get(struct run *r)
{
    struct job *j = r->free_jobs;
    if (j != NULL) {
        r->free_jobs = j->next;
        return j;
    }
    struct xs_error err;
    if ((j = calloc(1, sizeof *j)) == NULL || xs_doc_new(&j->doc, &err) != 0) {
        free(j);
        return NULL;
    }
    return j;
}

static void job_put(struct run *r, struct job *j)
{
    free(j->path);
    j->path = NULL;
    if (j->fd >= 0) /* dropped unread after an error */
        close(j->fd);
    j->fd = -1;
    j->next = r->free_jobs;
    r->free_jobs = j;
}

/* Stores the oldest job in the pipeline (after an error, only drops it). */
static void store_next(struct run *r)
{
    struct job *j = pdx_pipeline_take(r->pipe);
    if (j == NULL)
        return;
    r->in_flight -= j->size;
    if (!r->fatal)
        store_job(r, j);
    job_put(r, j);
}

/* A job for the file at `path`, once the pipeline has room for it: the oldest jobs are
 * stored first while it is full or holds too many bytes. NULL after an error (the run's
 * fatal code is set). */
static struct job *job_for(struct run *r, const char *path, long long size)
{
    while (!r->fatal && pdx_pipeline_pending(r->pipe) > 0 &&
           (!pdx_pipeline_has_room(r->pipe) || r->in_flight + size > IN_FLIGHT_MAX))
        store_next(r);
    if (r->fatal)
        return NULL;
    struct job *j = job_get(r);
    char *copy = strdup(path);
    if (j == NULL || copy == NULL) {
        free(copy);
        if (j != NULL)
            job_put(r, j);
        msg("out of memory");
        r->fatal = EXIT_INTERNAL;
        return NULL;
    }
    j->path = copy;
    j->size = size;
    j->decided = 0;
    j->fd = -1;
    return j;
}

static void job_submit(struct run *r, struct job *j)
{
    r->in_flight += j->size;
    pdx_pipeline_submit(r->pipe, j); /* job_for made room */
}

/* Reports a file the walk skips after the files before it, so that messages and the
 * --json list keep the walk's order whatever the number of workers. Returns 0 or the
 * run's fatal exit code. */
static int skip_in_order(struct run *r, const char *path, int reason, const char *fmt, ...)
{
    struct job *j = job_for(r, path, 0);
    if (j == NULL)
        return r->fatal;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->message, sizeof j->message, fmt, ap);
    va_end(ap);
    j->decided = 1;
    j->outcome = JOB_SKIP;
    j->reason = reason;
    j->len = 0;
    job_submit(r, j);
    return 0;
}

/* Hands a file to the workers, with the descriptor `*fd` when the walk opened it ahead
 * (NULL or -1: none): the job's reader then reads and closes it, and `*fd` becomes -1.
 * Returns 0 or the run's fatal exit code. */
static int submit_file(struct run *r, const struct pdx_walk_entry *e, int *fd, uint32_t docid,
                       const char *stored_hash)
{
    struct job *j = job_for(r, e->path, (long long)e->size);
    if (j == NULL)
        return r->fatal;
    j->walk_mtime = e->mtime;
    if (fd != NULL) {
        j->fd = *fd;
        *fd = -1;
    }
    j->max_size = r->opt->max_size;
    j->docid = docid;
    snprintf(j->stored_hash, sizeof j->stored_hash, "%s", stored_hash);
    j->dry_run = r->opt->dry_run;
    job_submit(r, j);
    return 0;
}

/* Indexes file `e` of the walk, unless it is unchanged, another shard's, named twice or
 * bad; `fd` as for submit_file. */
static int index_file(struct run *r, const struct pdx_walk_entry *e, int *fd)
{
    size_t plen = strlen(e->path);
    char idterm[PDX_IDTERM_MAX + 1];
    size_t idlen = pdx_idterm(e->path, idterm, sizeof idterm);
    if (r->nshards > 1 && pdx_shard_of(idterm, idlen, r->nshards) != r->shard)
        return 0; /* another shard's file */
    int fresh = strset_add(&r->seen, idterm, idlen);
    if (fresh < 0) {
        msg("out of memory");
        return r->fatal = EXIT_INTERNAL;
    }
    if (!fresh)
        return 0; /* named twice (a path and a directory above it): indexed once */
    if (pdx_utf8_valid_prefix(e->path, plen) != plen)
        return skip_in_order(r, e->path, SKIP_BAD_NAME,
                             "file name is not valid UTF-8 (rename the file)");
    if (e->size > r->opt->max_size)
        return skip_in_order(r, e->path, SKIP_TOO_LARGE, "file too large (%lld bytes, limit %lld)",
                             (long long)e->size, r->opt->max_size);

    /* An unchanged file costs a lookup in memory: same size and same modification time. */
    const struct known_doc *d = r->compare ? known_find(&r->known, e->path) : NULL;
    if (d != NULL) {
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)e->size);
        if (strcmp(d->size, want) == 0) {
            snprintf(want, sizeof want, "%lld", e->mtime);
            if (strcmp(d->mtime, want) == 0) {
                r->unchanged++;
                return 0;
            }
        }
    }
    return submit_file(r, e, fd, d ? d->docid : 0, d ? d->hash : "");
}

/* Remembers a path that could not be walked: documents under it are not removed. */
static int keep_under(struct run *r, const char *path)
{
    if (push_string(&r->kept, &r->nkept, &r->kept_cap, path) != 0) {
        msg("out of memory");
        return r->fatal = EXIT_INTERNAL;
    }
    return 0;
}

/* Compares two paths of the same root in the walk's order: component by component, the
 * names in byte order (a directory's path before the paths under it). */
static int walk_order_cmp(const char *a, const char *b)
{
    for (;;) {
        size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
        int c = memcmp(a, b, la < lb ? la : lb);
        if (c != 0)
            return c;
        if (la != lb)
            return la < lb ? -1 : 1;
        a += la;
        b += lb;
        if (*a == '\0' || *b == '\0')
            return (*a != '\0') - (*b != '\0');
        a++;
        b++;
    }
}

/* <0, 0, >0 as the entry at `path` of root number `root` comes before, at or after `b`. */
static int bound_cmp(int root, const char *path, const struct part_bound *b)
{
    if (root != b->root)
        return root < b->root ? -1 : 1;
    return walk_order_cmp(path, b->path);
}

/* An entry of the walk outside this part: the ids of earlier files are noted, so that a
 * file named twice is indexed once, by the part that meets it first. A part's entries
 * are decided by their paths alone, so that every entry belongs to exactly one part even
 * if the files change while the parts walk them. */
static int outside_part(struct run *r, const struct pdx_walk_entry *e)
{
    if (r->to && bound_cmp(r->root_index, e->path, r->to) >= 0) {
        r->part_done = 1;
        return 1; /* stops the walk: the rest is the next parts' */
    }
    if (e->kind != PDX_WALK_FILE)
        return 0;
    char idterm[PDX_IDTERM_MAX + 1];
    size_t idlen = pdx_idterm(e->path, idterm, sizeof idterm);
    if (strset_add(&r->seen, idterm, idlen) < 0) {
        msg("out of memory");
        return r->fatal = EXIT_INTERNAL;
    }
    return 0;
}

/* A file of the walk, in its turn; `fd` as for submit_file. */
static int take_file(struct run *r, const struct pdx_walk_entry *e, int *fd)
{
    int rc = index_file(r, e, fd);
    __atomic_store_n(&r->files_done, r->files_done + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&r->bytes_done, r->bytes_done + (unsigned long long)e->size, __ATOMIC_RELAXED);
    show_progress(r, 0);
    return rc;
}

/* ---- reading ahead ------------------------------------------------------------------ */

/* A rebuild reads every file it walks, and when the analysis runs on the walking thread
 * (a rebuild by parts), a file not in the page cache stops that thread until the disk
 * answers: on a cold cache the corpus's rebuild took 24 s against 18 s warm. So the walk
 * runs READ_AHEAD files ahead of the indexing: each file is opened when the walk reaches
 * it and its content asked of the kernel (with the files around it: pdx_prefetch.h),
 * and it is indexed, through the same descriptor, READ_AHEAD files later, when its
 * content has arrived while the files before it were analysed. Order, messages and
 * results are the same. A separate thread walking ahead was tried: its own walk and
 * system calls cost more CPU than the waiting it saved. */

struct ahead {
    char *path;
    off_t size;
    long long mtime;
    int fd;
};

/* Indexes the oldest file read ahead. */
static int ahead_take(struct run *r)
{
    struct ahead *a = &r->ahead[r->ahead_first];
    r->ahead_first = (r->ahead_first + 1) % READ_AHEAD;
    r->ahead_count--;
    struct pdx_walk_entry e = {
        .kind = PDX_WALK_FILE, .path = a->path, .size = a->size, .mtime = a->mtime};
    int fd = a->fd; /* handed to the job that reads the file, if one does */
    int rc = r->fatal ? r->fatal : take_file(r, &e, &fd);
    if (fd >= 0) /* not submitted: skipped, named twice, or after an error */
        close(fd);
    free(a->path);
    a->path = NULL;
    return rc;
}

/* Indexes every file read ahead (before an entry that is not a file, and at the end of
 * the walk). Returns 0 or the first nonzero code. */
static int ahead_drain(struct run *r)
{
    int rc = 0;
    pdx_prefetch_submit(r->prefetch);
    while (r->ahead_count > 0) {
        int k = ahead_take(r);
        if (rc == 0)
            rc = k;
    }
    return rc;
}

/* Takes file `e` of the walk: indexed at once, or opened and asked for now and indexed
 * READ_AHEAD files later. */
static int read_ahead_file(struct run *r, const struct pdx_walk_entry *e)
{
    if (r->ahead == NULL)
        return take_file(r, e, NULL);
    int rc = 0;
    if (r->ahead_count == READ_AHEAD && (rc = ahead_take(r)) != 0)
        return rc;
    char *copy = strdup(e->path);
    if (copy == NULL) { /* no room to wait: now, after the files before it */
        rc = ahead_drain(r);
        return rc ? rc : take_file(r, e, NULL);
    }
    int fd = open_ahead(e->path, (long long)e->size, r->opt->max_size, r->prefetch);
    struct ahead *a = &r->ahead[(r->ahead_first + r->ahead_count) % READ_AHEAD];
    *a = (struct ahead){copy, e->size, e->mtime, fd};
    r->ahead_count++;
    return 0;
}

static int on_entry(void *ctx, const struct pdx_walk_entry *e)
{
    struct run *r = ctx;
    int rc = 0;
    if ((r->from && bound_cmp(r->root_index, e->path, r->from) < 0) ||
        (r->to && bound_cmp(r->root_index, e->path, r->to) >= 0)) {
        rc = ahead_drain(r);
        return rc ? rc : outside_part(r, e);
    }
    if (e->kind == PDX_WALK_FILE)
        return read_ahead_file(r, e);
    if ((rc = ahead_drain(r)) != 0) /* messages keep the walk's order */
        return rc;
    switch (e->kind) {
    case PDX_WALK_LOOP:
        if (r->shard == 0) /* every shard's walk sees it: one reports it */
            return skip_in_order(r, e->path, SKIP_LOOP, "directory loop through a symbolic link");
        return 0;
    default:
        if (r->shard == 0 && e->error == EINVAL)
            rc = skip_in_order(r, e->path, SKIP_NOT_A_FILE, "not a regular file or directory");
        else if (r->shard == 0)
            rc = skip_in_order(r, e->path, SKIP_UNREADABLE, "cannot read: %s", strerror(e->error));
        return rc ? rc : keep_under(r, e->path);
    }
}

static int count_entry(void *ctx, const struct pdx_walk_entry *e)
{
    struct run *r = ctx;
    if (e->kind == PDX_WALK_FILE) {
        r->files_total++;
        r->bytes_total += (unsigned long long)e->size;
    }
    return 0;
}

/* 1 when `path` is `root` or lies under it. */
static int is_under(const char *path, const char *root)
{
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    if (strncmp(path, root, n) != 0)
        return 0;
    return path[n] == '\0' || path[n] == '/' || root[n - 1] == '/';
}

/* Is `path` under a walked root and outside every path that could not be walked? */
static int removal_in_scope(const struct run *r, const char *path)
{
    int in_scope = 0;
    for (int i = 0; i < r->nroots && !in_scope; i++)
        in_scope = is_under(path, r->roots[i]);
    for (size_t i = 0; i < r->nkept && in_scope; i++)
        in_scope = !is_under(path, r->kept[i]);
    return in_scope;
}

/* A document whose file the walk did not see. */
struct removal {
    char *term; /* its id term (owned) */
    const char *path;
};

/* In id-term order, the order in which the index lists its documents. */
static int removal_cmp(const void *a, const void *b)
{
    return strcmp(((const struct removal *)a)->term, ((const struct removal *)b)->term);
}

/* Removes the documents of files under the walked paths that the walk did not see. The
 * update read every document's path already (r->known): listing the index's id terms
 * again and reading each unseen document's path was half of a no-change re-index. */
static int remove_missing(struct run *r)
{
    const struct known *k = &r->known;
    struct removal *gone = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < k->n && !r->fatal; i++) {
        char t[PDX_IDTERM_MAX + 1];
        size_t len = pdx_idterm(k->docs[i].path, t, sizeof t);
        if (strset_has(&r->seen, t, len) || !removal_in_scope(r, k->docs[i].path))
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            struct removal *grown = realloc(gone, ncap * sizeof *grown);
            if (grown == NULL) {
                msg("out of memory");
                r->fatal = EXIT_INTERNAL;
                break;
            }
            gone = grown;
            cap = ncap;
        }
        if ((gone[n].term = strdup(t)) == NULL) {
            msg("out of memory");
            r->fatal = EXIT_INTERNAL;
            break;
        }
        gone[n++].path = k->docs[i].path;
    }
    if (n > 1)
        qsort(gone, n, sizeof *gone, removal_cmp);
    struct xs_error err;
    for (size_t i = 0; i < n && !r->fatal; i++) {
        if (r->opt->dry_run) {
            if (!r->opt->json) {
                printf("remove ");
                put_path(stdout, gone[i].path);
                putchar('\n');
            }
            r->removed++;
        } else if (begin_batch(r) != 0) {
            r->fatal = EXIT_INDEX;
        } else if (xs_wdb_delete(r->wdb, gone[i].term, strlen(gone[i].term), &err) != 0) {
            index_error(r, "cannot remove a document", &err);
        } else {
            r->removed++;
            if (r->opt->verbose) {
                flockfile(stderr);
                clear_progress(r);
                fputs(PROG ": ", stderr);
                put_path(stderr, gone[i].path);
                fputs(": removed (file gone)\n", stderr);
                funlockfile(stderr);
            }
            if (batch_done(r, 0) != 0)
                r->fatal = EXIT_INDEX;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(gone[i].term);
    free(gone);
    return r->fatal;
}

static void print_summary(const struct run *r, int rc, uint32_t doccount)
{
    double t = elapsed(&r->started);
    double mb = (double)r->bytes / 1e6;
    double rate = t > 0 ? mb / t : 0.0;
    const char *mode = r->opt->rebuild ? "rebuild" : "update";
    if (r->opt->json) {
        printf("{\"index\": ");
        pdx_json_cstr(stdout, r->opt->index);
        printf(", \"mode\": \"%s\", \"dry_run\": %s, \"added\": %lu, \"replaced\": %lu, "
               "\"removed\": %lu, \"unchanged\": %lu, \"skipped\": %lu, \"skipped_by_reason\": {",
               mode, r->opt->dry_run ? "true" : "false", r->added, r->replaced, r->removed,
               r->unchanged, r->skipped);
        for (int i = 0; i < SKIP_COUNT; i++)
            printf("%s\"%s\": %lu", i ? ", " : "", skip_ids[i], r->skip_count[i]);
        printf("}, \"skipped_files\": [");
        for (size_t i = 0; i < r->nskips; i++) {
            printf("%s{\"path\": ", i ? ", " : "");
            pdx_json_cstr(stdout, r->skips[i].path);
            printf(", \"reason\": \"%s\", \"message\": ", skip_ids[r->skips[i].reason]);
            pdx_json_cstr(stdout, r->skips[i].message);
            putchar('}');
        }
        printf("], \"skipped_files_complete\": %s, \"documents\": %lu, \"bytes_read\": %llu, "
               "\"seconds\": %.3f, \"mb_per_s\": %.2f, \"exit\": %d}\n",
               r->nskips == r->skipped ? "true" : "false", (unsigned long)doccount, r->bytes, t,
               rate, rc);
        return;
    }
    if (r->opt->quiet)
        return;
    char reasons[512] = "";
    size_t at = 0;
    for (int i = 0; i < SKIP_COUNT; i++) {
        if (!r->skip_count[i])
            continue;
        int n = snprintf(reasons + at, sizeof reasons - at, "%s%lu %s", at ? ", " : " (",
                         r->skip_count[i], skip_ids[i]);
        if (n > 0 && (size_t)n < sizeof reasons - at)
            at += (size_t)n;
    }
    if (at > 0 && at + 1 < sizeof reasons) {
        reasons[at] = ')';
        reasons[at + 1] = '\0';
    }
    msg("%s: %s%lu documents indexed (%lu added, %lu replaced), %lu removed, %lu unchanged, "
        "%lu skipped%s; %.1f MB read in %.2f s (%.1f MB/s); %lu documents in the index",
        r->opt->index, r->opt->dry_run ? "dry run, nothing changed: " : "", r->added + r->replaced,
        r->added, r->replaced, r->removed, r->unchanged, r->skipped, reasons, mb, t, rate,
        (unsigned long)doccount);
}

/* Stops the run's workers and frees its jobs and everything else the run holds. */
static void run_free(struct run *r)
{
    pdx_pipeline_free(r->pipe);
    r->pipe = NULL;
    while (r->free_jobs) {
        struct job *j = r->free_jobs;
        r->free_jobs = j->next;
        xs_doc_free(j->doc);
        free(j);
    }
    xs_db_close(r->rdb);
    strset_free(&r->seen);
    known_free(&r->known);
    for (size_t i = 0; i < r->nskips; i++) {
        free(r->skips[i].path);
        free(r->skips[i].message);
    }
    free(r->skips);
    for (size_t i = 0; i < r->nkept; i++)
        free(r->kept[i]);
    free(r->kept);
}

/* Opens what a dry run compares against: the index if it exists. */
static int open_for_dry_run(struct run *r)
{
    struct stat st;
    struct xs_error err;
    if (r->opt->rebuild || stat(r->opt->index, &st) != 0)
        return 0; /* everything would be added */
    if (xs_db_open(r->opt->index, &r->rdb, &err) != 0) {
        msg("%s: cannot open: %s", r->opt->index, err.message);
        return EXIT_INDEX;
    }
    r->compare = 1;
    struct meta_reader m = {r->rdb, NULL};
    return check_versions(&m, r->opt->index);
}

static int open_error(const char *index, const struct xs_error *err)
{
    if (err->code == XS_E_LOCK)
        report_lock(index);
    else if (err->code == XS_E_VERSION)
        msg("%s: made by a Xapian version this one cannot read (%s); run '" PROG
            " --rebuild -i %s PATH...'",
            index, err->message, index);
    else
        msg("%s: cannot open for writing: %s", index, err->message);
    return EXIT_INDEX;
}

/* Creates a missing index beside its place and renames it in, so that a run killed at
 * any moment leaves either no index or one that opens. Returns 0 or an exit code. */
static int create_index(const char *index)
{
    struct stat st;
    if (stat(index, &st) == 0 || errno != ENOENT)
        return 0; /* opening it will tell */
    char tmp[4096];
    struct xs_wdb *db = NULL;
    struct xs_error err;
    int n = snprintf(tmp, sizeof tmp, "%s.new-%ld", index, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        msg("%s: index path too long", index);
        return EXIT_INDEX;
    }
    if (xs_wdb_open(tmp, XS_WDB_CREATE_OR_OVERWRITE, &db, &err) != 0 ||
        write_versions(db, &err) != 0 || xs_wdb_commit(db, &err) != 0) {
        msg("%s: cannot create: %s", index, err.message);
        xs_wdb_close(db);
        remove_tree(tmp);
        return EXIT_INDEX;
    }
    xs_wdb_close(db);
    /* Another writer may have created it meanwhile: then its index is the one to use. */
    if (rename(tmp, index) != 0)
        remove_tree(tmp);
    return 0;
}

/* Walks the roots into r->wdb (or, in a dry run, compares with r->rdb): indexes new and
 * changed files, removes the missing ones, commits and records the build. `rc` is the
 * exit code so far (nothing is done unless it is 0); returns the new one. */
static int index_into(struct run *r, int rc)
{
    struct xs_error err;
    if (rc == 0 && r->compare && read_known(r, &err) != 0) {
        if (err.code == 0)
            msg("out of memory");
        else
            index_error(r, "cannot read the documents' values", &err);
        rc = r->fatal ? r->fatal : EXIT_INTERNAL;
    }
    if (rc == 0 && r->progress && r->files_total == 0)
        for (int i = 0; i < r->nroots; i++)
            pdx_walk(r->roots[i], count_entry, r);
    if (rc == 0) {
        unsigned depth = r->workers ? r->workers * PIPELINE_DEPTH_PER_WORKER : 1;
        r->pipe = pdx_pipeline_new(r->workers, depth, sizeof(struct prep_state), prepare_job,
                                   prep_state_fini);
        if (r->pipe == NULL && r->workers) /* no thread to be had: on this one, then */
            r->pipe =
                pdx_pipeline_new(0, 1, sizeof(struct prep_state), prepare_job, prep_state_fini);
        if (r->pipe == NULL) {
            msg("out of memory");
            rc = EXIT_INTERNAL;
        } else
            (void)pdx_pipeline_set_ahead(r->pipe, open_jobs_early, READ_AHEAD); /* or none */
    }
    /* A rebuild reads every file it walks; when on this thread, it reads ahead (an
     * update reads only the files that changed, which it learns as it goes; a shard's
     * run walks every shard's files and reads only its own). */
    if (rc == 0 && r->opt->rebuild && !r->opt->dry_run && r->nshards <= 1 &&
        pdx_pipeline_workers(r->pipe) == 0) {
        r->ahead = calloc(READ_AHEAD, sizeof *r->ahead); /* NULL: no reading ahead */
        /* Half the files ahead go to the disk together: the oldest is always sent. */
        if (r->ahead != NULL)
            r->prefetch = pdx_prefetch_new(READ_AHEAD / 2);
    }
    for (int i = 0; rc == 0 && !r->part_done && i < r->nroots; i++) {
        r->root_index = i;
        int w = pdx_walk(r->roots[i], on_entry, r);
        ahead_drain(r); /* an error is the run's fatal code, checked below */
        if (w < 0) {
            msg("%s: out of memory while listing files", r->roots[i]);
            rc = EXIT_INTERNAL;
        } else if (w > 0 && !r->part_done) {
            rc = r->fatal ? r->fatal : EXIT_INTERNAL;
        }
    }
    free(r->ahead);
    r->ahead = NULL;
    pdx_prefetch_free(r->prefetch);
    r->prefetch = NULL;
    /* The files still in the pipeline; after an error they are only dropped. */
    while (r->pipe && pdx_pipeline_pending(r->pipe) > 0)
        store_next(r);
    if (rc == 0 && r->fatal)
        rc = r->fatal;
    show_progress(r, 1);
    if (rc == 0 && r->wdb && commit_batch(r) != 0)
        rc = EXIT_INDEX;
    if (rc == 0 && !r->opt->rebuild && !r->opt->keep_missing && remove_missing(r) != 0)
        rc = r->fatal;
    if (rc == 0 && r->wdb && commit_batch(r) != 0)
        rc = EXIT_INDEX;
    if (rc == 0 && r->wdb &&
        (write_build_info(r->wdb, r->opt->rebuild ? "rebuild" : "update", &err) != 0 ||
         xs_wdb_commit(r->wdb, &err) != 0)) {
        msg("%s: %s", r->name, err.message);
        rc = EXIT_INDEX;
    }
    if (rc != 0 && r->in_transaction)
        xs_wdb_cancel_transaction(r->wdb, NULL);
    return rc;
}

static void *run_thread(void *arg)
{
    struct run *r = arg;
    r->rc = index_into(r, r->rc);
    return NULL;
}

/* Runs `n` runs at once, one thread each (those that get no thread, in turn after). */
static void run_all(struct run *runs, size_t n)
{
    pthread_t threads[JOBS_MAX > PDX_SHARDS_MAX ? JOBS_MAX : PDX_SHARDS_MAX];
    int started[JOBS_MAX > PDX_SHARDS_MAX ? JOBS_MAX : PDX_SHARDS_MAX] = {0};
    for (size_t k = 0; k < n; k++)
        started[k] = pthread_create(&threads[k], NULL, run_thread, &runs[k]) == 0;
    for (size_t k = 0; k < n; k++) {
        if (started[k])
            pthread_join(threads[k], NULL);
        else
            run_thread(&runs[k]);
    }
}

/* ---- sharded indexes ------------------------------------------------------------------ */

/* dir/shardK into buf; returns 0, or -1 when it does not fit. */
static int shard_path(char *buf, size_t size, const char *dir, uint32_t k)
{
    int n = snprintf(buf, size, "%s/" PDX_SHARD_PREFIX "%u", dir, (unsigned)k);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

struct stub_count {
    uint32_t n;
    int foreign; /* an entry polidex-index did not write */
};

static int count_stub_entry(void *ctx, const struct pdx_stub_entry *e)
{
    struct stub_count *c = ctx;
    char want[32];
    int n = snprintf(want, sizeof want, PDX_SHARD_PREFIX "%u", (unsigned)c->n);
    if (e->kind != PDX_STUB_LOCAL || (size_t)n != e->name_len ||
        memcmp(e->name, want, e->name_len) != 0 || c->n == PDX_SHARDS_MAX) {
        c->foreign = 1;
        return 1;
    }
    c->n++;
    return 0;
}

/* The number of shards of the index at `index`: 0 when it is not a sharded index (a
 * single database, or nothing), -1 (reported) when its stub was not written by polidex-index
 * (it names remote or other databases: search it, but index each shard on its own). */
static int shard_count(const char *index)
{
    char p[4096];
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    if (join_path(p, sizeof p, index, PDX_SHARD_STUB) != 0 || stat(p, &st) != 0)
        return 0;
    int e = read_file(p, -1, st.st_size, 1 << 20, &text, &len);
    if (e) {
        msg("%s: cannot read: %s", p, strerror(e));
        return -1;
    }
    struct stub_count c = {0, 0};
    size_t bad = 0;
    int rc = pdx_stub_parse(text, len, count_stub_entry, &c, &bad);
    free(text);
    if (rc != 0 || c.foreign || c.n == 0) {
        msg("%s: not a stub written by " PROG " (shard0 … shardN-1); index each of its "
            "databases on its own",
            p);
        return -1;
    }
    return (int)c.n;
}

/* The size of an index on disk: its files, and those of its shards. */
static long long index_size(const char *index)
{
    long long total = dir_size(index);
    int n = shard_count(index);
    for (int k = 0; total >= 0 && k < n; k++) {
        char p[4096];
        long long s = shard_path(p, sizeof p, index, (uint32_t)k) == 0 ? dir_size(p) : -1;
        total = s < 0 ? -1 : total + s;
    }
    return total;
}

/* Writes dir/XAPIANDB naming shard0 … shard(n-1), aside and renamed in. Returns 0 or -1. */
static int write_stub(const char *dir, uint32_t n)
{
    char p[4096], tmp[4160];
    if (join_path(p, sizeof p, dir, PDX_SHARD_STUB) != 0)
        return -1;
    int len = snprintf(tmp, sizeof tmp, "%s.tmp", p);
    if (len < 0 || (size_t)len >= sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    fputs("# polidex sharded index: a Xapian stub naming its shards (see README)\n", f);
    for (uint32_t k = 0; k < n; k++)
        fprintf(f, "auto " PDX_SHARD_PREFIX "%u\n", (unsigned)k);
    int bad = ferror(f) != 0;
    if (fsync(fileno(f)) != 0)
        bad = 1;
    if (fclose(f) != 0 || bad || rename(tmp, p) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void close_writers(struct xs_wdb **w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xs_wdb_close(w[i]);
        w[i] = NULL;
    }
}

/* Takes the write lock of the existing index at `index` (of each of its shards), so that
 * no update runs while an index is built to replace it. live[] receives the writers
 * (*nlive of them). A database that cannot be opened for another reason than a lock
 * (damaged, unreadable format) is left out: replacing it is what a rebuild is for.
 * Returns 0, or EXIT_INDEX (reported) when another writer holds a lock. */
static int lock_index(const char *index, struct xs_wdb **live, size_t *nlive)
{
    struct stat st;
    struct xs_error err;
    *nlive = 0;
    if (stat(index, &st) != 0)
        return 0;
    int n = shard_count(index);
    if (n < 0)
        return EXIT_INDEX;
    for (int k = 0; k < (n ? n : 1); k++) {
        char p[4096];
        if (n && shard_path(p, sizeof p, index, (uint32_t)k) != 0)
            continue;
        struct xs_wdb *w = NULL;
        if (xs_wdb_open(n ? p : index, XS_WDB_OPEN, &w, &err) == 0) {
            live[(*nlive)++] = w;
        } else if (err.code == XS_E_LOCK) {
            close_writers(live, *nlive);
            *nlive = 0;
            return open_error(index, &err);
        }
    }
    return 0;
}

/* Creates dir (absent) holding n empty shards with their versions and the stub. */
static int create_shards(const char *dir, uint32_t n, int versions)
{
    if (mkdir(dir, 0777) != 0) {
        msg("%s: cannot create: %s", dir, strerror(errno));
        return EXIT_INDEX;
    }
    for (uint32_t k = 0; k < n; k++) {
        char p[4096];
        struct xs_wdb *db = NULL;
        struct xs_error err;
        if (shard_path(p, sizeof p, dir, k) != 0) {
            msg("%s: index path too long", dir);
            return EXIT_INDEX;
        }
        if (xs_wdb_open(p, XS_WDB_CREATE_OR_OVERWRITE, &db, &err) != 0 ||
            (versions && (write_versions(db, &err) != 0 || xs_wdb_commit(db, &err) != 0))) {
            msg("%s: cannot create: %s", p, err.message);
            xs_wdb_close(db);
            return EXIT_INDEX;
        }
        xs_wdb_close(db);
    }
    if (versions && write_stub(dir, n) != 0) {
        msg("%s: cannot write the stub file: %s", dir, strerror(errno));
        return EXIT_INDEX;
    }
    return 0;
}

static int sync_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_F && flag != FTW_D && flag != FTW_DP)
        return 0;
    int fd = open(path, (S_ISDIR(st->st_mode) ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Makes a database written as scratch (XS_WDB_CREATE_SCRATCH) durable: every file, then
 * the directories. Returns 0, or -1 with errno set. */
static int sync_tree(const char *path)
{
    return nftw(path, sync_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes parts 1 to `nparts` - 1 of a rebuild with one writer (part 0 is `base`). */
static void remove_parts(const char *base, int nparts)
{
    char path[4096];
    for (int k = 1; k < nparts; k++)
        if (part_path(path, sizeof path, base, k) == 0)
            remove_tree(path);
}

/* A freshly built database is written in batches, which leaves its B-trees about half
 * full; Xapian's compactor rewrites it densely (the index a fifth to a half smaller) for
 * a small fraction of the build time, and syncs what it writes. The compacted copy
 * replaces `dir` only when complete; a failure keeps the uncompacted database, which is
 * just as correct once synced (it may have been written as scratch). Messages name
 * `index`, the index being rebuilt (`dir` is its new copy, or a shard of it). Returns 0
 * when `dir` holds a durable database, or EXIT_INDEX (reported). */
static int compact_fresh(const char *dir, int nparts, const char *index)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.compact", dir);
    struct xs_error err;
    const char *why = NULL;
    char(*names)[4096] = nparts > 1 ? calloc((size_t)nparts - 1, sizeof *names) : NULL;
    const char **sources = calloc((size_t)nparts, sizeof *sources);
    if (n < 0 || (size_t)n >= sizeof tmp)
        why = "path too long";
    else if (sources == NULL || (nparts > 1 && names == NULL))
        why = "out of memory";
    else
        sources[0] = dir;
    for (int k = 1; k < nparts && why == NULL; k++) {
        if (part_path(names[k - 1], sizeof names[k - 1], dir, k) != 0)
            why = "path too long";
        sources[k] = names[k - 1];
    }
    if (why == NULL) {
        remove_tree(tmp);
        if (xs_compact(sources, (size_t)nparts, tmp, 0, &err) != 0)
            why = err.message;
        /* Exchange, then drop the loose copy: at every moment `dir` holds a whole
         * database. */
        else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) != 0)
            why = strerror(errno);
        remove_tree(tmp);
    }
    free(sources);
    free(names);
    if (nparts > 1) {
        /* The parts are merged into `dir`, or the rebuild fails: `dir` alone is not the
         * whole index. */
        remove_parts(dir, nparts);
        if (why == NULL)
            return 0;
        msg("%s: cannot merge the parts of the rebuild: %s", index, why);
        return EXIT_INDEX;
    }
    if (why == NULL)
        return 0;
    msg("%s: not compacted (%s); the index is complete all the same", index, why);
    if (sync_tree(dir) != 0) {
        msg("%s: cannot write the new index to disk: %s", index, strerror(errno));
        return EXIT_INDEX;
    }
    return 0;
}

/* Swaps the complete index at `target` in for `index` (or renames it there when there is
 * none), then removes the old one. Returns 0 or EXIT_INDEX (reported; target removed). */
static int swap_in(const char *target, const char *index, struct xs_wdb **live, size_t *nlive)
{
    if (renameat2(AT_FDCWD, target, AT_FDCWD, index, RENAME_EXCHANGE) == 0) {
        close_writers(live, *nlive); /* the old index, now at `target` */
        *nlive = 0;
        remove_tree(target);
        return 0;
    }
    if (errno == ENOENT && rename(target, index) == 0)
        return 0; /* there was no old index to exchange with */
    msg("%s: cannot swap in the new index: %s", index, strerror(errno));
    remove_tree(target);
    return EXIT_INDEX;
}

/* Adds a shard's counts and skipped files into the run that sums them. */
static void sum_into(struct run *sum, struct run *r)
{
    sum->added += r->added;
    sum->replaced += r->replaced;
    sum->removed += r->removed;
    sum->unchanged += r->unchanged;
    sum->skipped += r->skipped;
    sum->bytes += r->bytes;
    for (int i = 0; i < SKIP_COUNT; i++)
        sum->skip_count[i] += r->skip_count[i];
    for (size_t i = 0; i < r->nskips; i++) {
        if (sum->nskips == sum->skips_cap) {
            size_t ncap = sum->skips_cap ? sum->skips_cap * 2 : 16;
            struct skipped *grown = realloc(sum->skips, ncap * sizeof *grown);
            if (grown == NULL)
                break;
            sum->skips = grown;
            sum->skips_cap = ncap;
        }
        sum->skips[sum->nskips++] = r->skips[i];
        r->skips[i] = (struct skipped){NULL, 0, NULL};
    }
}

/* Updates or rebuilds a sharded index: one writer per shard, each in its own thread,
 * walking the same roots and indexing the files whose id hashes to its shard. */
static int run_sharded(const struct options *opt, char **roots, int nroots, uint32_t nshards)
{
    char target[4096];
    struct xs_wdb *live[PDX_SHARDS_MAX]; /* rebuild: the old index, locked */
    size_t nlive = 0;
    const char *writer_dir = opt->index;
    struct run sum = {.opt = opt, .name = opt->index, .out = stderr};
    clock_gettime(CLOCK_MONOTONIC, &sum.started);
    int rc = 0;
    int n = snprintf(target, sizeof target, "%s.new-%ld", opt->index, (long)getpid());
    struct stat st;
    if (n < 0 || (size_t)n >= sizeof target) {
        msg("%s: index path too long", opt->index);
        return EXIT_USAGE;
    }
    if (opt->rebuild) {
        if (stat(opt->index, &st) == 0 && (!S_ISDIR(st.st_mode) || !is_index_dir(opt->index))) {
            msg("%s: exists and is not a polidex index; not replacing it", opt->index);
            return EXIT_INDEX;
        }
        if ((rc = lock_index(opt->index, live, &nlive)) != 0)
            return rc;
        if (nlive)
            remove_stale_rebuilds(opt->index);
        else
            writer_dir = target;
        rc = create_shards(target, nshards, 0);
    } else if (stat(opt->index, &st) != 0 && errno == ENOENT) {
        /* Created aside and renamed in, so that a killed run leaves no half index. */
        rc = create_shards(target, nshards, 1);
        if (rc == 0 && rename(target, opt->index) != 0)
            remove_tree(target); /* another writer created it meanwhile */
        else if (rc != 0)
            remove_tree(target);
        snprintf(target, sizeof target, "%s", opt->index);
    } else {
        snprintf(target, sizeof target, "%s", opt->index);
    }

    struct run runs[PDX_SHARDS_MAX];
    char names[PDX_SHARDS_MAX][4096];
    memset(runs, 0, sizeof runs);
    int progress = !opt->quiet && isatty(STDERR_FILENO);
    for (uint32_t k = 0; k < nshards; k++) {
        struct run *r = &runs[k];
        struct xs_error err;
        *r = (struct run){.opt = opt,
                          .name = names[k],
                          .out = stderr,
                          .shard = k,
                          .nshards = nshards,
                          .roots = roots,
                          .nroots = nroots,
                          .compare = !opt->rebuild,
                          .workers = opt->jobs / nshards,
                          .progress = progress && k == 0,
                          .started = sum.started};
        if (rc != 0)
            continue;
        if (shard_path(names[k], sizeof names[k], target, k) != 0) {
            msg("%s: index path too long", opt->index);
            rc = EXIT_USAGE;
        } else if (xs_wdb_open(names[k], XS_WDB_OPEN, &r->wdb, &err) != 0) {
            rc = open_error(opt->index, &err);
        } else if (!opt->rebuild) {
            struct meta_reader m = {NULL, r->wdb};
            rc = check_versions(&m, names[k]);
        }
        uint32_t count = 0;
        if (rc == 0 && (xs_wdb_doccount(r->wdb, &count, &err) != 0 ||
                        (count == 0 &&
                         (write_versions(r->wdb, &err) != 0 || xs_wdb_commit(r->wdb, &err) != 0))))
            rc = open_error(names[k], &err);
    }
    if (rc == 0 && !opt->rebuild)
        remove_stale_rebuilds(opt->index);
    if (rc == 0)
        write_writer_file(writer_dir);

    if (rc == 0)
        run_all(runs, nshards);
    uint32_t doccount = 0;
    for (uint32_t k = 0; k < nshards; k++) {
        struct run *r = &runs[k];
        if (rc == 0 && r->rc != 0 && r->rc != EXIT_DATA)
            rc = r->rc;
        uint32_t c = 0;
        if (r->wdb && xs_wdb_doccount(r->wdb, &c, NULL) == 0)
            doccount += c;
        xs_wdb_close(r->wdb);
        r->wdb = NULL;
        sum_into(&sum, r);
        run_free(r);
    }
    if (writer_dir == target)
        remove_writer_file(writer_dir);
    if (opt->rebuild && rc == EXIT_USAGE) {
        /* nothing was created */
    } else if (opt->rebuild && rc != 0) {
        remove_tree(target);
    } else if (opt->rebuild) {
        for (uint32_t k = 0; rc == 0 && k < nshards; k++) {
            char shard[4096];
            if (shard_path(shard, sizeof shard, target, k) == 0)
                rc = compact_fresh(shard, 1, opt->index);
        }
        if (rc != 0) {
            remove_tree(target);
        } else if (write_stub(target, nshards) != 0) {
            msg("%s: cannot write the stub file: %s", target, strerror(errno));
            remove_tree(target);
            rc = EXIT_INDEX;
        } else {
            rc = swap_in(target, opt->index, live, &nlive);
        }
    }
    if (writer_dir != target)
        remove_writer_file(opt->index);
    close_writers(live, nlive);
    if (rc == 0 || rc == EXIT_DATA) {
        rc = sum.skipped ? EXIT_DATA : 0;
        print_summary(&sum, rc, doccount);
    }
    run_free(&sum);
    return rc;
}

/* ---- a rebuild by parts ----------------------------------------------------------------- */

/* The sizes of the files of a walk, cumulated, in walk order. */
struct walk_sizes {
    unsigned long long *cum;
    size_t n, cap;
    long long max_size;       /* larger files are skipped: they weigh nothing */
    unsigned long long bytes; /* all the files' sizes, for the progress */
};

static int note_size(void *ctx, const struct pdx_walk_entry *e)
{
    struct walk_sizes *z = ctx;
    if (e->kind != PDX_WALK_FILE)
        return 0;
    if (z->n == z->cap) {
        size_t ncap = z->cap ? z->cap * 2 : 1024;
        unsigned long long *grown = realloc(z->cum, ncap * sizeof *grown);
        if (grown == NULL)
            return 1;
        z->cum = grown;
        z->cap = ncap;
    }
    z->bytes += (unsigned long long)e->size;
    unsigned long long size = e->size > z->max_size ? 0 : (unsigned long long)e->size;
    z->cum[z->n] = (z->n ? z->cum[z->n - 1] : 0) + size;
    z->n++;
    return 0;
}

/* The paths of the files at given ordinals of a walk. */
struct bound_finder {
    const size_t *ordinals; /* increasing */
    size_t n, found;
    size_t ordinal; /* files seen */
    int root;
    struct part_bound *out;
};

static int find_bound(void *ctx, const struct pdx_walk_entry *e)
{
    struct bound_finder *f = ctx;
    if (e->kind != PDX_WALK_FILE)
        return 0;
    if (f->ordinal++ != f->ordinals[f->found])
        return 0;
    char *path = strdup(e->path);
    if (path == NULL)
        return -1;
    f->out[f->found++] = (struct part_bound){f->root, path};
    return f->found == f->n; /* stop after the last */
}

/* Splits the files under the roots into at most `n` runs of consecutive files of about
 * equal bytes: (*bounds)[k] is where part k + 1 starts; sets r's files_total and
 * bytes_total. Returns the number of parts (1 when the files are too few to share), or
 * -1 when out of memory. */
static int split_walk(struct run *r, size_t n, struct part_bound **bounds)
{
    struct walk_sizes z = {.max_size = r->opt->max_size};
    *bounds = NULL;
    for (int i = 0; i < r->nroots; i++)
        if (pdx_walk(r->roots[i], note_size, &z) != 0) {
            free(z.cum);
            return -1;
        }
    /* The totals, for the progress shown on a terminal: no need to walk again. */
    r->files_total = z.n;
    r->bytes_total = z.bytes;
    if (n > z.n / PART_FILES_MIN)
        n = z.n / PART_FILES_MIN;
    if (n < 2) {
        free(z.cum);
        return 1;
    }
    /* Part k + 1 starts at the first file after which k + 1 parts' worth of bytes are
     * done (and at least one file after part k's start). */
    size_t *ordinals = calloc(n - 1, sizeof *ordinals);
    *bounds = calloc(n - 1, sizeof **bounds);
    if (ordinals == NULL || *bounds == NULL) {
        free(ordinals);
        free(*bounds);
        *bounds = NULL;
        free(z.cum);
        return -1;
    }
    unsigned long long total = z.cum[z.n - 1];
    size_t at = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        unsigned long long goal = total / n * (k + 1);
        size_t start = at;
        while (at + 1 < z.n && (at == start || z.cum[at - 1] < goal))
            at++;
        ordinals[k] = at;
    }
    free(z.cum);
    /* The ordinals, as paths: what the parts' own walks recognise. */
    struct bound_finder f = {.ordinals = ordinals, .n = n - 1, .out = *bounds};
    for (int i = 0; i < r->nroots && f.found < f.n; i++) {
        f.root = i;
        if (pdx_walk(r->roots[i], find_bound, &f) < 0) {
            for (size_t k = 0; k < f.found; k++)
                free((*bounds)[k].path);
            free(*bounds);
            *bounds = NULL;
            free(ordinals);
            return -1;
        }
    }
    free(ordinals);
    /* Files gone since the first walk: fewer parts. */
    return (int)f.found + 1;
}

/* A rebuild by parts written at once (--jobs N, N > 1): the files of the walk are split
 * into `nparts` runs of consecutive files of about equal bytes, each indexed into its
 * own database by its own thread (analysis and writing on that thread); Xapian's
 * compactor, which a rebuild runs anyway, then merges the parts in order into `target`,
 * numbering the documents as one writer would. Messages keep the walk's order: a part's
 * are held until the parts before it are done. Sets *by_parts when it did the rebuild
 * (then `target` holds the new index); leaves it 0 and returns 0 when the files are too
 * few to share. Counts and skipped files are added into `sum`. Returns 0 or an exit
 * code. */
static int rebuild_by_parts(struct run *sum, const char *target, unsigned nparts, int *by_parts,
                            uint32_t *doccount)
{
    const struct options *opt = sum->opt;
    struct part_bound *bounds = NULL;
    int n = split_walk(sum, nparts, &bounds);
    if (n < 0) {
        msg("out of memory while listing files");
        return EXIT_INTERNAL;
    }
    if (n < 2)
        return 0;
    *by_parts = 1;
    struct run *parts = calloc((size_t)n, sizeof *parts);
    char(*names)[4096] = calloc((size_t)n, sizeof *names);
    const char **sources = calloc((size_t)n, sizeof *sources);
    int rc = parts && names && sources ? 0 : EXIT_INTERNAL;
    if (rc != 0)
        msg("out of memory");
    for (int k = 0; rc == 0 && k < n; k++) {
        struct run *r = &parts[k];
        struct xs_error err;
        *r = (struct run){.opt = opt,
                          .name = names[k],
                          .roots = sum->roots,
                          .nroots = sum->nroots,
                          .from = k > 0 ? &bounds[k - 1] : NULL,
                          .to = k + 1 < n ? &bounds[k] : NULL,
                          .out = stderr,
                          .parts = k == 0 ? parts : NULL,
                          .nparts = k == 0 ? (size_t)n : 0,
                          .progress = k == 0 && sum->progress,
                          .files_total = sum->files_total,
                          .bytes_total = sum->bytes_total,
                          .started = sum->started};
        sources[k] = names[k];
        if (part_path(names[k], sizeof names[k], target, k) != 0) {
            msg("%s: index path too long", opt->index);
            rc = EXIT_USAGE;
        } else if (k > 0 && (r->out = open_memstream(&r->out_buf, &r->out_len)) == NULL) {
            r->out = stderr;
            msg("out of memory");
            rc = EXIT_INTERNAL;
        } else if (open_part(names[k], &r->wdb, &err) != 0) {
            rc = open_error(names[k], &err);
        }
    }
    if (rc == 0)
        run_all(parts, (size_t)n);
    /* In walk order: each part's messages, counts and documents. */
    for (int k = 0; parts && k < n; k++) {
        struct run *r = &parts[k];
        if (r->out != stderr && r->out != NULL) {
            fclose(r->out);
            fwrite(r->out_buf, 1, r->out_len, stderr);
            free(r->out_buf);
        }
        r->out = stderr;
        if (rc == 0 && r->rc != 0)
            rc = r->rc;
        uint32_t c = 0;
        if (r->wdb && xs_wdb_doccount(r->wdb, &c, NULL) == 0)
            *doccount += c;
        xs_wdb_close(r->wdb);
        r->wdb = NULL;
        sum_into(sum, r);
        run_free(r);
    }
    if (rc == 0) {
        struct xs_error err;
        if (xs_compact(sources, (size_t)n, target, 0, &err) != 0) {
            msg("%s: cannot merge the parts of the rebuild: %s", opt->index, err.message);
            remove_tree(target);
            rc = EXIT_INDEX;
        }
    }
    for (int k = 0; names && k < n; k++)
        if (names[k][0])
            remove_tree(names[k]);
    for (int k = 0; k + 1 < n; k++)
        free(bounds[k].path);
    free(bounds);
    free(sources);
    free(names);
    free(parts);
    return rc;
}

static int run_index(const struct options *opt, char **roots, int nroots)
{
    struct run r = {
        .opt = opt, .name = opt->index, .roots = roots, .nroots = nroots, .out = stderr};
    r.progress = !opt->quiet && isatty(STDERR_FILENO);
    r.workers = opt->jobs;
    clock_gettime(CLOCK_MONOTONIC, &r.started);
    struct xs_error err;

    /* A rebuild writes a new index beside the old one; only a complete build replaces
     * it, so searches keep working and a failed rebuild leaves the old index intact.
     * It holds the old index's write lock meanwhile, so that no update is lost. */
    char target[4096];
    struct xs_wdb *live[PDX_SHARDS_MAX]; /* rebuild: the old index (its shards), locked */
    size_t nlive = 0;
    const char *writer_dir = opt->index;
    int rc = 0;
    int by_parts = 0; /* a rebuild done by rebuild_by_parts */
    uint32_t doccount = 0;
    if (opt->dry_run) {
        rc = open_for_dry_run(&r);
    } else if (opt->rebuild) {
        int n = snprintf(target, sizeof target, "%s.new-%ld", opt->index, (long)getpid());
        struct stat st;
        if (n < 0 || (size_t)n >= sizeof target) {
            msg("%s: index path too long", opt->index);
            rc = EXIT_USAGE;
        } else if (stat(opt->index, &st) == 0 &&
                   (!S_ISDIR(st.st_mode) || !is_index_dir(opt->index))) {
            msg("%s: exists and is not a polidex index; not replacing it", opt->index);
            rc = EXIT_INDEX;
        } else {
            /* Another failure to open the old index (damaged, unreadable format) than a
             * lock is what a rebuild is for: go on without its lock. */
            rc = lock_index(opt->index, live, &nlive);
        }
        if (rc == 0) {
            if (nlive) {
                remove_stale_rebuilds(opt->index);
                write_writer_file(opt->index);
            } else {
                writer_dir = target;
            }
            if (opt->jobs > 1)
                rc = rebuild_by_parts(&r, target, opt->jobs, &by_parts, &doccount);
            if (rc == 0 && !by_parts &&
                xs_wdb_open(target, XS_WDB_CREATE_SCRATCH, &r.wdb, &err) != 0)
                rc = open_error(target, &err);
            if (rc == 0 && !by_parts) {
                /* One writer (or files too few to share): parts written in turn. */
                r.part_base = target;
                r.nparts_written = 1;
                if (opt->jobs <= 1)
                    r.part_bytes = opt->part_size;
            }
        }
    } else {
        snprintf(target, sizeof target, "%s", opt->index);
        rc = create_index(opt->index);
        if (rc != 0) {
            /* reported */
        } else if (xs_wdb_open(target, XS_WDB_OPEN, &r.wdb, &err) != 0) {
            rc = open_error(opt->index, &err);
        } else {
            r.compare = 1;
            struct meta_reader m = {NULL, r.wdb};
            rc = check_versions(&m, opt->index);
            remove_stale_rebuilds(opt->index);
        }
    }
    if (rc == 0 && r.wdb) {
        write_writer_file(writer_dir);
        uint32_t count = 0;
        if (xs_wdb_doccount(r.wdb, &count, &err) != 0 ||
            (count == 0 && (write_versions(r.wdb, &err) != 0 || xs_wdb_commit(r.wdb, &err) != 0)))
            rc = open_error(opt->index, &err);
    }

    if (!by_parts)
        rc = index_into(&r, rc);
    if (r.wdb)
        xs_wdb_doccount(r.wdb, &doccount, NULL);
    else if (r.rdb)
        xs_db_doccount(r.rdb, &doccount, NULL);
    doccount += r.parts_docs;
    if (r.wdb && writer_dir == target)
        remove_writer_file(writer_dir);
    xs_wdb_close(r.wdb);

    if (opt->rebuild && !opt->dry_run && rc != EXIT_USAGE) {
        if (rc != 0) {
            if (r.part_base != NULL) { /* the databases this run wrote */
                remove_tree(target);
                remove_parts(target, r.nparts_written);
            }
        } else {
            if (!by_parts) /* the parts were merged by the compactor already */
                rc = compact_fresh(target, r.nparts_written, opt->index);
            if (rc == 0)
                rc = swap_in(target, opt->index, live, &nlive);
            else
                remove_tree(target);
        }
    }
    if (nlive) {
        remove_writer_file(opt->index);
        close_writers(live, nlive);
    } else if (!opt->rebuild && !opt->dry_run && r.wdb) {
        remove_writer_file(opt->index);
    }
    if (rc == 0 || rc == EXIT_DATA) {
        if (r.skipped)
            rc = EXIT_DATA;
        print_summary(&r, rc, doccount);
    }
    run_free(&r);
    return rc;
}

/* ---- --status and --check ---------------------------------------------------------- */

static int count_term(void *ctx, const char *term, size_t len, uint32_t freq)
{
    (void)term;
    (void)len;
    (void)freq;
    (*(unsigned long *)ctx)++;
    return 0;
}

static int open_reader(const char *index, struct xs_db **db)
{
    struct xs_error err;
    struct stat st;
    if (stat(index, &st) != 0) {
        msg("%s: no index here (%s); build one with '" PROG " -i %s PATH...'", index,
            strerror(errno), index);
        return EXIT_INDEX;
    }
    if (xs_db_open(index, db, &err) != 0) {
        msg("%s: cannot open: %s", index, err.message);
        return EXIT_INDEX;
    }
    return 0;
}

static int run_status(const struct options *opt)
{
    struct xs_db *db = NULL;
    int rc = open_reader(opt->index, &db);
    if (rc != 0)
        return rc;
    struct xs_error err;
    uint32_t docs = 0;
    unsigned long institutions = 0, pillars = 0;
    static const char *const keys[] = {PDX_META_SCHEMA, PDX_META_ANALYZER, PDX_META_TOOL,
                                       PDX_META_BUILT, PDX_META_MODE};
    char values[5][128];
    if (xs_db_doccount(db, &docs, &err) != 0 ||
        xs_db_terms(db, PDX_PREFIX_INSTITUTION, strlen(PDX_PREFIX_INSTITUTION), count_term,
                    &institutions, &err) != 0 ||
        xs_db_terms(db, PDX_PREFIX_PILLAR, strlen(PDX_PREFIX_PILLAR), count_term, &pillars, &err) !=
            0) {
        msg("%s: %s", opt->index, err.message);
        xs_db_close(db);
        return EXIT_INDEX;
    }
    for (size_t i = 0; i < 5; i++) {
        const char *v;
        size_t len;
        if (xs_db_get_metadata(db, keys[i], strlen(keys[i]), &v, &len, &err) != 0) {
            msg("%s: %s", opt->index, err.message);
            xs_db_close(db);
            return EXIT_INDEX;
        }
        snprintf(values[i], sizeof values[i], "%.*s", (int)len, v);
    }
    xs_db_close(db);
    long long size = index_size(opt->index);
    int nshards = shard_count(opt->index);
    long writer = writer_pid(opt->index);
    int compatible =
        (docs == 0 && values[0][0] == '\0') || (strcmp(values[0], PDX_SCHEMA_VERSION) == 0 &&
                                                strcmp(values[1], PDX_ANALYZER_VERSION) == 0);
    if (opt->json) {
        printf("{\"index\": ");
        pdx_json_cstr(stdout, opt->index);
        printf(", \"documents\": %lu, \"size_bytes\": %lld, \"schema\": ", (unsigned long)docs,
               size);
        pdx_json_cstr(stdout, values[0]);
        printf(", \"analyzer\": ");
        pdx_json_cstr(stdout, values[1]);
        printf(", \"compatible\": %s, \"tool\": ", compatible ? "true" : "false");
        pdx_json_cstr(stdout, values[2]);
        printf(", \"built\": ");
        pdx_json_cstr(stdout, values[3]);
        printf(", \"mode\": ");
        pdx_json_cstr(stdout, values[4]);
        printf(", \"institutions\": %lu, \"pillars\": %lu, \"shards\": %d, \"writer_pid\": ",
               institutions, pillars, nshards > 0 ? nshards : 1);
        if (writer > 0)
            printf("%ld}\n", writer);
        else
            printf("null}\n");
        return 0;
    }
    printf("index:         %s\n", opt->index);
    printf("documents:     %lu\n", (unsigned long)docs);
    printf("size on disk:  %.1f MB\n", (double)size / 1e6);
    if (nshards > 0)
        printf("shards:        %d (%s/" PDX_SHARD_PREFIX "0 … " PDX_SHARD_PREFIX "%d)\n", nshards,
               opt->index, nshards - 1);
    printf("schema:        %s%s\n", values[0][0] ? values[0] : "(none)",
           strcmp(values[0], PDX_SCHEMA_VERSION) == 0 ? ""
                                                      : " (this program: " PDX_SCHEMA_VERSION ")");
    printf("analyzer:      %s%s\n", values[1][0] ? values[1] : "(none)",
           strcmp(values[1], PDX_ANALYZER_VERSION) == 0 ? ""
                                                        : " (this program: " PDX_ANALYZER_VERSION
                                                          ")");
    printf("built by:      %s\n", values[2][0] ? values[2] : "(unknown)");
    printf("last build:    %s (%s)\n", values[3][0] ? values[3] : "(never completed)",
           values[4][0] ? values[4] : "-");
    printf("institutions:  %lu distinct\n", institutions);
    printf("pillars:       %lu distinct\n", pillars);
    if (writer > 0)
        printf("writer:        pid %ld is writing to it\n", writer);
    if (!compatible)
        printf("needs:         '" PROG " --rebuild -i %s PATH...'\n", opt->index);
    return 0;
}

struct check_state {
    struct xs_db *db;
    const char *index;
    unsigned long ids, duplicates, missing, changed, unreadable;
    int failed;
    struct xs_error err;
};

static int check_doc(void *ctx, const char *term, size_t len, uint32_t freq)
{
    struct check_state *c = ctx;
    c->ids++;
    if (freq != 1) {
        msg("%s: %lu documents share the id '%.*s'", c->index, (unsigned long)freq, (int)len, term);
        c->duplicates += freq - 1;
    }
    uint32_t docid;
    const char *v;
    size_t vlen;
    char path[4096], size_s[32], mtime_s[32], hash_s[32], want[32];
    char *fields[] = {path, size_s, mtime_s, hash_s};
    size_t sizes[] = {sizeof path, sizeof size_s, sizeof mtime_s, sizeof hash_s};
    unsigned slots[] = {PDX_SLOT_PATH, PDX_SLOT_SIZE, PDX_SLOT_MTIME, PDX_SLOT_HASH};
    if (xs_db_find(c->db, term, len, &docid, &c->err) != 0) {
        c->failed = 1;
        return 1;
    }
    for (int i = 0; i < 4; i++) {
        if (xs_db_get_value(c->db, docid, slots[i], &v, &vlen, &c->err) != 0) {
            c->failed = 1;
            return 1;
        }
        snprintf(fields[i], sizes[i], "%.*s", (int)vlen, v);
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        c->missing++;
        fputs(PROG ": ", stderr);
        put_path(stderr, path);
        fprintf(stderr, ": indexed, but the file is gone (%s)\n", strerror(errno));
        return 0;
    }
    snprintf(want, sizeof want, "%lld", (long long)st.st_size);
    int same = strcmp(size_s, want) == 0;
    snprintf(want, sizeof want, "%lld", (long long)st.st_mtime);
    if (same && strcmp(mtime_s, want) == 0)
        return 0;
    /* Size or time differ (or the time was not trusted): the content decides. */
    char *bytes = NULL;
    size_t n = 0;
    char hash[17];
    if (!S_ISREG(st.st_mode) || read_file(path, -1, (long long)st.st_size,
                                          (long long)st.st_size + (1 << 20), &bytes, &n) != 0) {
        c->unreadable++;
        fputs(PROG ": ", stderr);
        put_path(stderr, path);
        fputs(": indexed, but the file cannot be read\n", stderr);
        return 0;
    }
    pdx_content_hash(bytes, n, hash);
    free(bytes);
    if (strcmp(hash, hash_s) != 0) {
        c->changed++;
        fputs(PROG ": ", stderr);
        put_path(stderr, path);
        fputs(": changed since it was indexed\n", stderr);
    }
    return 0;
}

static int run_check(const struct options *opt)
{
    struct xs_error err;
    struct stat st;
    size_t errors = 0;
    char report[2048];
    if (stat(opt->index, &st) != 0) {
        msg("%s: no index here (%s)", opt->index, strerror(errno));
        return EXIT_INDEX;
    }
    /* Xapian checks one database at a time: each shard of a sharded index in turn. */
    int nshards = shard_count(opt->index);
    if (nshards < 0)
        return EXIT_INDEX;
    for (int k = 0; k < (nshards ? nshards : 1); k++) {
        char shard[4096];
        const char *where = opt->index;
        if (nshards) {
            if (shard_path(shard, sizeof shard, opt->index, (uint32_t)k) != 0) {
                msg("%s: index path too long", opt->index);
                return EXIT_INDEX;
            }
            where = shard;
        }
        if (xs_db_check(where, &errors, report, sizeof report, &err) != 0) {
            msg("%s: damaged: %s", where, err.message);
            return EXIT_INDEX;
        }
        if (errors > 0) {
            /* Xapian's report, one line at a time, so that each line says where it is from. */
            char *line = report;
            while (*line) {
                char *nl = strchr(line, '\n');
                if (nl)
                    *nl = '\0';
                if (*line)
                    msg("%s: %s", where, line);
                if (!nl)
                    break;
                line = nl + 1;
            }
            msg("%s: damaged: Xapian's check found %zu errors; run '" PROG
                " --rebuild -i %s PATH...'",
                where, errors, opt->index);
            return EXIT_INDEX;
        }
    }
    struct xs_db *db = NULL;
    int rc = open_reader(opt->index, &db);
    if (rc != 0)
        return rc;
    struct meta_reader m = {db, NULL};
    rc = check_versions(&m, opt->index);
    struct check_state c = {.db = db, .index = opt->index};
    uint32_t docs = 0;
    if (rc == 0 && (xs_db_doccount(db, &docs, &err) != 0 ||
                    xs_db_terms(db, PDX_PREFIX_ID, 1, check_doc, &c, &err) != 0)) {
        msg("%s: %s", opt->index, err.message);
        rc = EXIT_INDEX;
    }
    if (rc == 0 && c.failed) {
        msg("%s: %s", opt->index, c.err.message);
        rc = EXIT_INDEX;
    }
    xs_db_close(db);
    if (rc != 0)
        return rc;
    if (c.ids + c.duplicates != docs) {
        msg("%s: %lu documents have no id", opt->index,
            (unsigned long)docs - (c.ids + c.duplicates));
        rc = EXIT_INDEX;
    }
    if (c.duplicates)
        rc = EXIT_INDEX;
    if (rc == 0 && (c.missing || c.changed || c.unreadable))
        rc = EXIT_DATA;
    if (!opt->quiet)
        msg("%s: %s: %lu documents; Xapian check: no errors; sources: %lu missing, %lu changed, "
            "%lu unreadable",
            opt->index,
            rc == 0           ? "consistent"
            : rc == EXIT_DATA ? "consistent but out of date (run " PROG " to update it)"
                              : "inconsistent",
            (unsigned long)docs, c.missing, c.changed, c.unreadable);
    return rc;
}

/* Records a compaction in the metadata of the database at `path`. */
static int mark_compacted(const char *path)
{
    struct xs_wdb *db = NULL;
    struct xs_error err;
    if (xs_wdb_open(path, XS_WDB_OPEN, &db, &err) != 0 ||
        write_build_info(db, "compact", &err) != 0 || xs_wdb_commit(db, &err) != 0) {
        msg("%s: %s", path, err.message);
        xs_wdb_close(db);
        return EXIT_INDEX;
    }
    xs_wdb_close(db);
    return 0;
}

/* --compact: rewrites the index with Xapian's compactor, beside the old one, and swaps it
 * in like a rebuild. A sharded index keeps its shards (each compacted) or, with
 * --shards 1, has them merged into one database. */
static int run_compact(const struct options *opt)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct stat st;
    if (stat(opt->index, &st) != 0) {
        msg("%s: no index here (%s)", opt->index, strerror(errno));
        return EXIT_INDEX;
    }
    int n = shard_count(opt->index);
    if (n < 0)
        return EXIT_INDEX;
    uint32_t want = opt->shards ? opt->shards : (n ? (uint32_t)n : 1);
    if ((n == 0 && want > 1) || (n > 0 && want != 1 && want != (uint32_t)n)) {
        msg("%s: --compact keeps the shards or merges them into one (--shards 1); to split an "
            "index into %u shards, run '" PROG " --rebuild --shards %u -i %s PATH...'",
            opt->index, want, want, opt->index);
        return EXIT_USAGE;
    }
    char target[4096];
    int len = snprintf(target, sizeof target, "%s.new-%ld", opt->index, (long)getpid());
    if (len < 0 || (size_t)len >= sizeof target) {
        msg("%s: index path too long", opt->index);
        return EXIT_USAGE;
    }
    struct xs_wdb *live[PDX_SHARDS_MAX];
    size_t nlive = 0;
    int rc = lock_index(opt->index, live, &nlive);
    if (rc != 0)
        return rc;
    remove_stale_rebuilds(opt->index);
    write_writer_file(opt->index);
    long long before = index_size(opt->index);
    char paths[PDX_SHARDS_MAX][4096];
    const char *sources[PDX_SHARDS_MAX];
    uint32_t nsrc = n ? (uint32_t)n : 1;
    for (uint32_t k = 0; k < nsrc; k++) {
        if (n && shard_path(paths[k], sizeof paths[k], opt->index, k) != 0)
            rc = EXIT_USAGE;
        else if (!n)
            snprintf(paths[k], sizeof paths[k], "%s", opt->index);
        sources[k] = paths[k];
    }
    struct xs_error err;
    if (rc != 0) {
        msg("%s: index path too long", opt->index);
    } else if (want == 1) {
        if (xs_compact(sources, nsrc, target, 0, &err) != 0) {
            msg("%s: cannot compact: %s", opt->index, err.message);
            rc = EXIT_INDEX;
        } else {
            rc = mark_compacted(target);
        }
    } else if (mkdir(target, 0777) != 0) {
        msg("%s: cannot create: %s", target, strerror(errno));
        rc = EXIT_INDEX;
    } else {
        for (uint32_t k = 0; rc == 0 && k < nsrc; k++) {
            char dest[4096];
            if (shard_path(dest, sizeof dest, target, k) != 0) {
                msg("%s: index path too long", opt->index);
                rc = EXIT_USAGE;
            } else if (xs_compact(&sources[k], 1, dest, 0, &err) != 0) {
                msg("%s: cannot compact: %s", sources[k], err.message);
                rc = EXIT_INDEX;
            } else {
                rc = mark_compacted(dest);
            }
        }
        if (rc == 0 && write_stub(target, nsrc) != 0) {
            msg("%s: cannot write the stub file: %s", target, strerror(errno));
            rc = EXIT_INDEX;
        }
    }
    if (rc != 0)
        remove_tree(target);
    else
        rc = swap_in(target, opt->index, live, &nlive);
    remove_writer_file(opt->index);
    close_writers(live, nlive);
    if (rc == 0 && !opt->quiet) {
        struct xs_db *db = NULL;
        uint32_t docs = 0;
        if (xs_db_open(opt->index, &db, &err) == 0)
            xs_db_doccount(db, &docs, NULL);
        xs_db_close(db);
        msg("%s: compacted%s: %lu documents in %u database%s; %.1f MB before, %.1f MB after, "
            "in %.2f s",
            opt->index, n > 1 && want == 1 ? " (shards merged)" : "", (unsigned long)docs,
            (unsigned)want, want > 1 ? "s (shards)" : "", (double)before / 1e6,
            (double)index_size(opt->index) / 1e6, elapsed(&t0));
    }
    return rc;
}

/* ---- main ---------------------------------------------------------------------------- */

enum {
    OPT_REBUILD = 256,
    OPT_MAX_SIZE,
    OPT_PART_SIZE,
    OPT_VERSION,
    OPT_DRY_RUN,
    OPT_KEEP_MISSING,
    OPT_STATUS,
    OPT_CHECK,
    OPT_JSON,
    OPT_SHARDS,
    OPT_COMPACT
};

/* An option's whole number from lo to hi into *out; says what is wrong and returns -1
 * otherwise. */
static int parse_count(const char *name, const char *arg, long lo, long hi, unsigned *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < lo || v > hi) {
        msg("%s: '%s' is not a number from %ld to %ld", name, arg, lo, hi);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
    static const struct option longopts[] = {{"index", required_argument, NULL, 'i'},
                                             {"rebuild", no_argument, NULL, OPT_REBUILD},
                                             {"dry-run", no_argument, NULL, OPT_DRY_RUN},
                                             {"keep-missing", no_argument, NULL, OPT_KEEP_MISSING},
                                             {"status", no_argument, NULL, OPT_STATUS},
                                             {"check", no_argument, NULL, OPT_CHECK},
                                             {"json", no_argument, NULL, OPT_JSON},
                                             {"shards", required_argument, NULL, OPT_SHARDS},
                                             {"compact", no_argument, NULL, OPT_COMPACT},
                                             {"jobs", required_argument, NULL, 'j'},
                                             {"max-size", required_argument, NULL, OPT_MAX_SIZE},
                                             {"part-size", required_argument, NULL, OPT_PART_SIZE},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, OPT_VERSION},
                                             {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:j:qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            opt->index = optarg;
            break;
        case OPT_REBUILD:
            opt->rebuild = 1;
            break;
        case OPT_DRY_RUN:
            opt->dry_run = 1;
            break;
        case OPT_KEEP_MISSING:
            opt->keep_missing = 1;
            break;
        case OPT_STATUS:
            opt->status = 1;
            break;
        case OPT_CHECK:
            opt->check = 1;
            break;
        case OPT_JSON:
            opt->json = 1;
            break;
        case OPT_SHARDS:
            if (parse_count("--shards", optarg, 1, PDX_SHARDS_MAX, &opt->shards) != 0)
                return -1;
            break;
        case OPT_COMPACT:
            opt->compact = 1;
            break;
        case 'j':
            if (parse_count("--jobs", optarg, 0, JOBS_MAX, &opt->jobs) != 0)
                return -1;
            break;
        case OPT_MAX_SIZE: {
            char *end;
            errno = 0;
            long long mb = strtoll(optarg, &end, 10);
            if (errno || end == optarg || *end || mb <= 0 || mb > 1024 * 1024) {
                msg("--max-size: '%s' is not a size in MB", optarg);
                return -1;
            }
            opt->max_size = mb * 1024 * 1024;
            break;
        }
        case OPT_PART_SIZE: {
            char *end;
            errno = 0;
            double mb = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(mb * 1024 * 1024 >= 1) || mb > 1024 * 1024) {
                msg("--part-size: '%s' is not a size in MB", optarg);
                return -1;
            }
            opt->part_size = (unsigned long long)(mb * 1024 * 1024);
            break;
        }
        case 'q':
            opt->quiet = 1;
            break;
        case 'v':
            opt->verbose = 1;
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_OK);
        case OPT_VERSION:
            printf(PROG " " PDX_TOOL_VERSION " (schema %s, analyzer %s)\n", PDX_SCHEMA_VERSION,
                   PDX_ANALYZER_VERSION);
            exit(EXIT_OK);
        case ':':
            msg("option '%s' needs a value", argv[optind - 1]);
            return -1;
        default:
            msg("unknown option '%s'", argv[optind - 1]);
            return -1;
        }
    }
    if (!*opt->index) {
        msg("-i: the index path is empty");
        return -1;
    }
    if (opt->status + opt->check + opt->compact > 1 ||
        ((opt->status || opt->check || opt->compact) && (opt->rebuild || opt->dry_run))) {
        msg("--status, --check, --compact and --rebuild go alone");
        return -1;
    }
    if ((opt->status || opt->check) && opt->shards) {
        msg("--shards goes with indexing, --rebuild or --compact");
        return -1;
    }
    if (opt->status || opt->check || opt->compact) {
        if (optind < argc) {
            msg("--%s takes no PATH", opt->status ? "status" : opt->check ? "check" : "compact");
            return -1;
        }
        return 0;
    }
    if (optind >= argc) {
        msg("no PATH to index");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    pdx_heap_prefault(HEAP_PREFAULT);
    struct options opt = {.max_size = 64LL * 1024 * 1024,
                          .part_size = ONE_WRITER_PART_BYTES,
                          .jobs = pdx_cpu_count()};
    if (opt.jobs > JOBS_DEFAULT_MAX)
        opt.jobs = JOBS_DEFAULT_MAX;
    opt.index = getenv("POLIDEX_INDEX");
    if (!opt.index || !*opt.index)
        opt.index = "polidex.db";
    if (parse_options(argc, argv, &opt) != 0) {
        fprintf(stderr, "try '" PROG " --help'\n");
        return EXIT_USAGE;
    }
    if (opt.status)
        return run_status(&opt);
    if (opt.check)
        return run_check(&opt);
    if (opt.compact)
        return run_compact(&opt);
    /* The layout: an existing index keeps its number of shards unless rebuilt. */
    struct stat st;
    int have = shard_count(opt.index);
    if (have < 0)
        return EXIT_INDEX;
    int exists = stat(opt.index, &st) == 0;
    uint32_t want = opt.shards ? opt.shards : (have ? (uint32_t)have : 1);
    uint32_t now = have ? (uint32_t)have : 1;
    if (exists && !opt.rebuild && want != now) {
        msg("%s: has %u shard%s, not %u; change that with '" PROG
            " --rebuild --shards %u -i %s PATH...'",
            opt.index, now, now > 1 ? "s" : "", want, want, opt.index);
        return EXIT_USAGE;
    }
    if (want > 1 && !opt.dry_run)
        return run_sharded(&opt, argv + optind, argc - optind, want);
    return run_index(&opt, argv + optind, argc - optind);
}
