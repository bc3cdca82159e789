/*
 * polidex-index — index French text files into a polidex (Xapian) index.
 *
 * Only this file parses arguments, prints and exits; the work is done by the indexer
 * library (walk, document, analyzer, docbuild) and the shim.
 */
#define _GNU_SOURCE /* renameat2 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pdx_analyzer.h"
#include "pdx_docbuild.h"
#include "pdx_document.h"
#include "pdx_extract.h"
#include "pdx_schema.h"
#include "pdx_walk.h"
#include "xs.h"

#define PROG "polidex-index"

enum exit_code { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_INDEX = 4, EXIT_INTERNAL = 5 };

/* Documents per Xapian transaction: large enough to amortise the commit, small enough
 * that an interrupted run loses little. */
#define BATCH_DOCS 2000

struct options {
    const char *index;
    int rebuild;
    int quiet;
    int verbose;
    long long max_size;
};

struct run {
    const struct options *opt;
    struct pdx_analyzer *analyzer;
    struct pdx_extractor *extractor;
    struct xs_wdb *db;
    struct xs_doc *doc;
    int in_transaction;
    unsigned long added, skipped, batch;
    unsigned long long bytes;
    int fatal;    /* an index error: stop the walk */
    int progress; /* show progress on the terminal */
    struct timespec started;
};

static void msg(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, PROG ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: " PROG " [-i INDEX] [--rebuild] [--quiet] [--verbose] PATH...\n"
               "Index the .txt files under each PATH (files named explicitly are indexed\n"
               "whatever their name) into a polidex index.\n"
               "\n"
               "  -i, --index DIR   index directory (default: $POLIDEX_INDEX, else ./polidex.db)\n"
               "      --rebuild     build a fresh index beside the old one and swap it in\n"
               "      --max-size MB skip files larger than this (default 64)\n"
               "  -q, --quiet       no progress, no summary\n"
               "  -v, --verbose     one line per file indexed\n"
               "  -h, --help        this help;  --version  the version\n"
               "\n"
               "Exit codes: 0 success, 2 usage error, 3 some files skipped (bad input data;\n"
               "the rest is indexed), 4 index or I/O error, 5 internal error.\n");
}

static double elapsed(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static void show_progress(struct run *r, int final)
{
    if (!r->progress)
        return;
    double t = elapsed(&r->started);
    double mb = (double)r->bytes / 1e6;
    fprintf(stderr, "\r%lu files, %.1f MB, %.1f MB/s%s", r->added + r->skipped, mb,
            t > 0 ? mb / t : 0.0, final ? "\n" : "");
}

/* Reads a whole file; returns 0, or an errno value. */
static int read_file(const char *path, long long size_hint, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno;
    size_t cap = size_hint > 0 ? (size_t)size_hint + 1 : 4096;
    char *buf = malloc(cap);
    size_t n = 0;
    if (!buf) {
        fclose(f);
        return ENOMEM;
    }
    for (;;) {
        if (n == cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                fclose(f);
                return ENOMEM;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f) ? EIO : 0;
    fclose(f);
    if (err) {
        free(buf);
        return err;
    }
    *out = buf;
    *len = n;
    return 0;
}

static int commit_batch(struct run *r)
{
    struct xs_error err;
    if (!r->in_transaction)
        return 0;
    r->in_transaction = 0;
    r->batch = 0;
    if (xs_wdb_commit_transaction(r->db, &err) != 0) {
        msg("%s: commit failed: %s", r->opt->index, err.message);
        return -1;
    }
    return 0;
}

static void skip(struct run *r, const char *path, const char *fmt, ...)
{
    va_list ap;
    if (r->progress)
        fputc('\n', stderr);
    fprintf(stderr, PROG ": %s: ", path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(", skipped\n", stderr);
    r->skipped++;
}

static int index_file(struct run *r, const struct pdx_walk_entry *e)
{
    if (e->size > r->opt->max_size) {
        skip(r, e->path, "file too large (%lld bytes, limit %lld)", (long long)e->size,
             r->opt->max_size);
        return 0;
    }
    char *bytes = NULL;
    size_t len = 0;
    int errnum = read_file(e->path, (long long)e->size, &bytes, &len);
    if (errnum) {
        skip(r, e->path, "%s", strerror(errnum));
        return 0;
    }
    struct pdx_document doc = {0};
    size_t bad = 0;
    int status = pdx_document_decode(bytes, len, &doc, &bad);
    if (status == PDX_DOC_INVALID_UTF8) {
        skip(r, e->path, "invalid UTF-8 at byte %zu", bad);
    } else if (status != PDX_DOC_OK) {
        skip(r, e->path, "%s", pdx_document_status_message(status));
    } else {
        char hash[17];
        pdx_content_hash(bytes, len, hash);
        /* Dates, institutions and pillars become filter terms; an extraction that runs
         * out of memory still indexes what it found. */
        struct pdx_extraction found = {0};
        int xrc = pdx_extract(r->extractor, doc.text, doc.len, NULL, PDX_EXTRACT_ALL, &found);
        if (xrc != PDX_EXTRACT_OK && r->opt->verbose)
            fprintf(stderr, PROG ": %s: extraction incomplete (code %d)\n", e->path, xrc);
        if (found.limit_errors && r->opt->verbose)
            fprintf(stderr, PROG ": %s: %zu extraction matches hit a limit, first at byte %zu\n",
                    e->path, found.limit_errors, found.first_limit_error);
        struct pdx_docbuild_input in = {.path = e->path,
                                        .doc = &doc,
                                        .hash = hash,
                                        .size = (long long)e->size,
                                        .mtime = e->mtime,
                                        .date = NULL,
                                        .extraction = &found};
        char why[512];
        struct xs_error err;
        if (pdx_docbuild(r->analyzer, &in, r->doc, why, sizeof why) != 0) {
            skip(r, e->path, "%s", why);
        } else {
            char idterm[PDX_IDTERM_MAX + 1];
            size_t idlen = pdx_idterm(e->path, idterm, sizeof idterm);
            if (!r->in_transaction) {
                if (xs_wdb_begin(r->db, &err) != 0) {
                    msg("%s: %s", r->opt->index, err.message);
                    r->fatal = EXIT_INDEX;
                } else {
                    r->in_transaction = 1;
                }
            }
            if (!r->fatal && xs_wdb_replace(r->db, idterm, idlen, r->doc, NULL, &err) != 0) {
                msg("%s: cannot store %s: %s", r->opt->index, e->path, err.message);
                r->fatal = EXIT_INDEX;
            }
            if (!r->fatal) {
                r->added++;
                r->bytes += len;
                if (r->opt->verbose)
                    fprintf(stderr, PROG ": %s: indexed (%s)\n", e->path, doc.encoding);
                if (++r->batch >= BATCH_DOCS && commit_batch(r) != 0)
                    r->fatal = EXIT_INDEX;
            }
        }
        pdx_extraction_free(&found);
    }
    pdx_document_free(&doc);
    free(bytes);
    if ((r->added + r->skipped) % 256 == 0)
        show_progress(r, 0);
    return r->fatal;
}

static int on_entry(void *ctx, const struct pdx_walk_entry *e)
{
    struct run *r = ctx;
    switch (e->kind) {
    case PDX_WALK_FILE:
        return index_file(r, e);
    case PDX_WALK_LOOP:
        skip(r, e->path, "directory loop through a symbolic link");
        return 0;
    default:
        skip(r, e->path, "%s", strerror(e->error));
        return 0;
    }
}

/* Refuses to add to an index whose terms were made by another schema or analyzer. */
static int check_versions(struct xs_wdb *db, const char *index)
{
    struct xs_error err;
    uint32_t count = 0;
    if (xs_wdb_doccount(db, &count, &err) != 0) {
        msg("%s: %s", index, err.message);
        return EXIT_INDEX;
    }
    static const struct {
        const char *key;
        const char *want;
        const char *what;
    } checks[] = {{PDX_META_SCHEMA, PDX_SCHEMA_VERSION, "schema"},
                  {PDX_META_ANALYZER, PDX_ANALYZER_VERSION, "analyzer"}};
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        const char *v;
        size_t vlen;
        if (xs_wdb_get_metadata(db, checks[i].key, strlen(checks[i].key), &v, &vlen, &err) != 0) {
            msg("%s: %s", index, err.message);
            return EXIT_INDEX;
        }
        if (count == 0 && vlen == 0)
            continue; /* a new, empty index */
        if (vlen != strlen(checks[i].want) || memcmp(v, checks[i].want, vlen) != 0) {
            msg("%s: built by %s version '%.*s', this is version %s; run '" PROG
                " --rebuild -i %s PATH...'",
                index, checks[i].what, (int)vlen, v, checks[i].want, index);
            return EXIT_INDEX;
        }
    }
    return 0;
}

static int write_metadata(struct xs_wdb *db, const char *mode, struct xs_error *err)
{
    char built[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    size_t blen = strftime(built, sizeof built, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *kv[][2] = {{PDX_META_SCHEMA, PDX_SCHEMA_VERSION},
                           {PDX_META_ANALYZER, PDX_ANALYZER_VERSION},
                           {PDX_META_TOOL, PROG " " PDX_TOOL_VERSION},
                           {PDX_META_MODE, mode}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (xs_wdb_set_metadata(db, kv[i][0], strlen(kv[i][0]), kv[i][1], strlen(kv[i][1]), err) !=
            0)
            return -1;
    return xs_wdb_set_metadata(db, PDX_META_BUILT, strlen(PDX_META_BUILT), built, blen, err);
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

static int parse_options(int argc, char **argv, struct options *opt)
{
    static const struct option longopts[] = {
        {"index", required_argument, NULL, 'i'},    {"rebuild", no_argument, NULL, 'R'},
        {"max-size", required_argument, NULL, 'M'}, {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},        {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            opt->index = optarg;
            break;
        case 'R':
            opt->rebuild = 1;
            break;
        case 'M': {
            char *end;
            errno = 0;
            long long mb = strtoll(optarg, &end, 10);
            if (errno || *end || mb <= 0 || mb > 1024 * 1024) {
                msg("--max-size: '%s' is not a size in MB", optarg);
                return -1;
            }
            opt->max_size = mb * 1024 * 1024;
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
        case 'V':
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
    if (optind >= argc) {
        msg("no PATH to index");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options opt = {.max_size = 64LL * 1024 * 1024};
    opt.index = getenv("POLIDEX_INDEX");
    if (!opt.index || !*opt.index)
        opt.index = "polidex.db";
    if (parse_options(argc, argv, &opt) != 0) {
        fprintf(stderr, "try '" PROG " --help'\n");
        return EXIT_USAGE;
    }

    char errbuf[256];
    struct run r = {.opt = &opt};
    r.progress = !opt.quiet && isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &r.started);
    r.analyzer = pdx_analyzer_new(errbuf, sizeof errbuf);
    if (!r.analyzer) {
        msg("cannot start the analyzer: %s", errbuf);
        return EXIT_INTERNAL;
    }
    r.extractor = pdx_extractor_new(NULL, NULL, errbuf, sizeof errbuf);
    if (!r.extractor) {
        msg("cannot start the extractors: %s", errbuf);
        pdx_extractor_free(r.extractor);
        pdx_analyzer_free(r.analyzer);
        return EXIT_INTERNAL;
    }

    /* A rebuild writes a new index beside the old one; only a complete build replaces
     * it, so searches keep working and a failed rebuild leaves the old index intact. */
    char target[4096];
    if (opt.rebuild) {
        int n = snprintf(target, sizeof target, "%s.new-%ld", opt.index, (long)getpid());
        if (n < 0 || (size_t)n >= sizeof target) {
            msg("%s: index path too long", opt.index);
            pdx_extractor_free(r.extractor);
            pdx_analyzer_free(r.analyzer);
            return EXIT_USAGE;
        }
    } else {
        snprintf(target, sizeof target, "%s", opt.index);
    }

    struct xs_error err;
    int mode = opt.rebuild ? XS_WDB_CREATE_OR_OVERWRITE : XS_WDB_CREATE_OR_OPEN;
    if (xs_wdb_open(target, mode, &r.db, &err) != 0) {
        if (err.code == XS_E_LOCK)
            msg("%s: locked by another writer (another polidex-index is running)", opt.index);
        else
            msg("%s: cannot open for writing: %s", opt.index, err.message);
        pdx_extractor_free(r.extractor);
        pdx_analyzer_free(r.analyzer);
        return EXIT_INDEX;
    }
    int rc = check_versions(r.db, opt.index);
    if (rc == 0 && xs_doc_new(&r.doc, &err) != 0) {
        msg("%s", err.message);
        rc = EXIT_INTERNAL;
    }

    for (int i = optind; rc == 0 && i < argc; i++) {
        int w = pdx_walk(argv[i], on_entry, &r);
        if (w < 0) {
            msg("%s: out of memory while listing files", argv[i]);
            rc = EXIT_INTERNAL;
        } else if (w > 0) {
            rc = r.fatal ? r.fatal : EXIT_INTERNAL;
        }
    }
    if (rc == 0 && commit_batch(&r) != 0)
        rc = EXIT_INDEX;
    if (rc == 0 && (write_metadata(r.db, opt.rebuild ? "rebuild" : "update", &err) != 0 ||
                    xs_wdb_commit(r.db, &err) != 0)) {
        msg("%s: %s", opt.index, err.message);
        rc = EXIT_INDEX;
    }
    if (rc != 0 && r.in_transaction)
        xs_wdb_cancel_transaction(r.db, NULL);
    show_progress(&r, 1);
    xs_doc_free(r.doc);
    xs_wdb_close(r.db);
    pdx_extractor_free(r.extractor);
    pdx_analyzer_free(r.analyzer);

    if (opt.rebuild) {
        if (rc != 0) {
            remove_tree(target);
        } else if (renameat2(AT_FDCWD, target, AT_FDCWD, opt.index, RENAME_EXCHANGE) == 0) {
            remove_tree(target); /* now holds the old index */
        } else if (errno == ENOENT && rename(target, opt.index) == 0) {
            /* there was no old index to exchange with */
        } else {
            msg("%s: cannot swap in the rebuilt index: %s", opt.index, strerror(errno));
            remove_tree(target);
            rc = EXIT_INDEX;
        }
    }
    if (!opt.quiet && rc == 0)
        msg("%lu documents indexed (%.1f MB) in %.2f s, %lu skipped", r.added,
            (double)r.bytes / 1e6, elapsed(&r.started), r.skipped);
    if (rc == 0 && r.skipped)
        rc = EXIT_DATA;
    return rc;
}
