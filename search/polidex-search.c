/*
 * polidex-search — search a polidex index and show ranked results with snippets.
 *
 * Only this file parses arguments, prints and exits; parsing the query and choosing
 * snippets are done by search/, the analysis by indexer/, the search by the shim.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pdx_analyzer.h"
#include "pdx_extract.h"
#include "pdx_heap.h"
#include "pdx_icu.h"
#include "pdx_lexicon.h"
#include "pdx_output.h"
#include "pdx_open.h"
#include "pdx_query.h"
#include "pdx_schema.h"
#include "pdx_snippet.h"
#include "pdx_spelling.h"
#include "pdx_stats.h"
#include "xs.h"

#define PROG "polidex-search"

enum exit_code {
    EXIT_OK = 0,
    EXIT_NOMATCH = 1,
    EXIT_USAGE = 2,
    EXIT_DATA = 3,
    EXIT_INDEX = 4,
    EXIT_INTERNAL = 5
};

/* The heap backed before anything else runs (see pdx_heap.h): a search of the benchmark's
 * queries ends with 270 to 620 KB of heap, most of them near 340 KB. Backing a page that
 * stays unused costs under a microsecond; faulting in one that is used, ten. */
#define HEAP_PREFAULT (384 * 1024)

#define SNIPPET_WIDTH 240
#define FACET_TOP 10
#define EXPLAIN_MAX 16384

/* Indexes given with -i (searched as one). */
#define INDEXES_MAX 64
/* Remote shards: each operation, and connecting, must finish within these. */
#define REMOTE_TIMEOUT_MS 10000
#define REMOTE_CONNECT_TIMEOUT_MS 5000

struct options {
    const char *index; /* for messages: the index, or the first of several */
    const char *indexes[INDEXES_MAX];
    size_t nindexes;
    int allow_partial;
    unsigned count;
    unsigned offset;
    int json;
    int explain;
    int exact_count;
    int color; /* -1 auto */
    int sort;  /* 0 relevance, 1 date ascending, -1 date descending */
    int kwic;
    int csv;
    int list;    /* a PDX_STATS_* kind for --list, else -1 */
    int cooccur; /* a PDX_STATS_* kind for --cooccur, else -1 */
    int facets[3];
    int nfacets;
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

/* A query error: the query is quoted, cut at a character boundary when long, so that a
 * hostile 100,000-character query still gives a one-line message of sane length. */
static void query_error(const char *query, const char *message)
{
    enum { SHOWN = 80 };
    size_t len = strlen(query);
    if (len <= SHOWN) {
        msg("query '%s': %s", query, message);
        return;
    }
    size_t cut = SHOWN;
    while (cut > 0 && ((unsigned char)query[cut] & 0xC0) == 0x80)
        cut--;
    msg("query '%.*s…' (%zu bytes): %s", (int)cut, query, len, message);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROG " [-i INDEX] [-n N] [--offset N] [--json] [--explain] QUERY...\n"
            "Search a polidex index. The words of QUERY are joined with spaces.\n"
            "\n"
            "Query language:\n"
            "  santé publique          all words required, ranked by relevance (BM25);\n"
            "                          accents, case, elisions (l'OMS) and plurals don't matter\n"
            "  \"soins de santé primaires\"   a phrase; a quoted single word is matched\n"
            "                          exactly (folded, not stemmed)\n"
            "  OMS OR ONU, a AND b     either / both;  a NOT b, -b  exclude;  +b  require\n"
            "  (a OR b) c              grouping\n"
            "  santé NEAR/5 mentale    words within 5 positions (NEAR alone: 10)\n"
            "  hôp*                    words beginning with hop (accents folded)\n"
            "  title:kazakhstan        a word or \"phrase\" in the title\n"
            "  institution:OMS         documents naming an institution (id, acronym or\n"
            "                          \"long form\"); pillar:csu  a policy pillar\n"
            "  date:2023, date:2023-11, date:2023-11-05, date:2023..2025,\n"
            "  date:2023-11-01..2024-03-31   documents dated or mentioning a date in it\n"
            "  path:corpus/x.txt, path:corpus/   one document, or all under a directory\n"
            "  AP-HP, APHP, ap hp      hyphenated names match in every spelling\n"
            "\n"
            "Options:\n"
            "  -i, --index DIR    index directory (default: $POLIDEX_INDEX, else ./polidex.db),\n"
            "                     sharded index or stub file (remote shards: 'remote HOST:PORT');\n"
            "                     repeat -i to search several indexes as one\n"
            "      --allow-partial  leave out remote shards that cannot be reached (with a\n"
            "                     warning) instead of failing\n"
            "  -n, --count N      results to show (default 10)\n"
            "      --offset N     skip the first N results\n"
            "      --exact-count  count every match exactly (otherwise an estimate)\n"
            "      --sort KEY     relevance (default), date (oldest first), -date (newest)\n"
            "      --kwic         keyword in context: one line per occurrence\n"
            "      --facets LIST  counts among the matches: institution,pillar,year\n"
            "      --list KIND [QUERY]   a table of institutions, pillars or years over the\n"
            "                     corpus (or the documents matching QUERY); --csv, --json\n"
            "      --cooccur KIND QUERY  what is most often named alongside QUERY\n"
            "      --csv          CSV output for --list and --cooccur\n"
            "      --json         JSON output (shape in the README)\n"
            "      --explain      show how the query was understood\n"
            "      --color WHEN   highlight in bold: auto (on a terminal), always, never\n"
            "  -h, --help         this help;  --version  the version\n"
            "\n"
            "Exit codes: 0 results found, 1 no match, 2 usage or query syntax error,\n"
            "4 index or I/O error, 5 internal error.\n");
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
    enum {
        O_OFFSET = 256,
        O_JSON,
        O_EXPLAIN,
        O_EXACT,
        O_COLOR,
        O_VERSION,
        O_SORT,
        O_KWIC,
        O_CSV,
        O_LIST,
        O_COOCCUR,
        O_FACETS,
        O_ALLOW_PARTIAL
    };
    static const struct option longopts[] = {{"index", required_argument, NULL, 'i'},
                                             {"count", required_argument, NULL, 'n'},
                                             {"offset", required_argument, NULL, O_OFFSET},
                                             {"json", no_argument, NULL, O_JSON},
                                             {"explain", no_argument, NULL, O_EXPLAIN},
                                             {"exact-count", no_argument, NULL, O_EXACT},
                                             {"color", required_argument, NULL, O_COLOR},
                                             {"sort", required_argument, NULL, O_SORT},
                                             {"kwic", no_argument, NULL, O_KWIC},
                                             {"csv", no_argument, NULL, O_CSV},
                                             {"list", required_argument, NULL, O_LIST},
                                             {"cooccur", required_argument, NULL, O_COOCCUR},
                                             {"facets", required_argument, NULL, O_FACETS},
                                             {"allow-partial", no_argument, NULL, O_ALLOW_PARTIAL},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, O_VERSION},
                                             {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    /* "+" stops at the first non-option, so a query word like -santé is not an option;
     * options go before the query. */
    while ((c = getopt_long(argc, argv, "+:i:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (opt->nindexes == INDEXES_MAX) {
                msg("-i: at most %d indexes", INDEXES_MAX);
                return -1;
            }
            if (!*optarg) {
                msg("-i: the index path is empty");
                return -1;
            }
            opt->indexes[opt->nindexes++] = optarg;
            opt->index = opt->indexes[0];
            break;
        case O_ALLOW_PARTIAL:
            opt->allow_partial = 1;
            break;
        case 'n':
            if (parse_uint(optarg, 100000, &opt->count) != 0) {
                msg("-n: '%s' is not a number from 0 to 100000", optarg);
                return -1;
            }
            break;
        case O_OFFSET:
            if (parse_uint(optarg, 10000000, &opt->offset) != 0) {
                msg("--offset: '%s' is not a number", optarg);
                return -1;
            }
            break;
        case O_JSON:
            opt->json = 1;
            break;
        case O_EXPLAIN:
            opt->explain = 1;
            break;
        case O_EXACT:
            opt->exact_count = 1;
            break;
        case O_KWIC:
            opt->kwic = 1;
            break;
        case O_CSV:
            opt->csv = 1;
            break;
        case O_LIST:
        case O_COOCCUR: {
            int kind = pdx_stats_kind_from_name(optarg);
            if (kind < 0) {
                msg("%s: '%s' is not institutions, pillars or years",
                    c == O_LIST ? "--list" : "--cooccur", optarg);
                return -1;
            }
            *(c == O_LIST ? &opt->list : &opt->cooccur) = kind;
            break;
        }
        case O_FACETS: {
            opt->nfacets = 0;
            for (char *f = optarg; f; f = strchr(f, ',') ? strchr(f, ',') + 1 : NULL) {
                char name[32];
                size_t n = strcspn(f, ",");
                snprintf(name, sizeof name, "%.*s", (int)(n < 31 ? n : 31), f);
                int kind = pdx_stats_kind_from_name(name);
                if (kind < 0 || opt->nfacets == 3) {
                    msg("--facets: '%s' is not institution, pillar or year", f);
                    return -1;
                }
                opt->facets[opt->nfacets++] = kind;
            }
            break;
        }
        case O_SORT:
            if (strcmp(optarg, "relevance") == 0)
                opt->sort = 0;
            else if (strcmp(optarg, "date") == 0)
                opt->sort = 1;
            else if (strcmp(optarg, "-date") == 0)
                opt->sort = -1;
            else {
                msg("--sort: '%s' is not relevance, date or -date", optarg);
                return -1;
            }
            break;
        case O_COLOR:
            if (strcmp(optarg, "auto") == 0)
                opt->color = -1;
            else if (strcmp(optarg, "always") == 0)
                opt->color = 1;
            else if (strcmp(optarg, "never") == 0)
                opt->color = 0;
            else {
                msg("--color: '%s' is not auto, always or never", optarg);
                return -1;
            }
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_OK);
        case O_VERSION:
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
    if (optind >= argc && opt->list < 0) {
        msg(opt->cooccur >= 0 ? "--cooccur needs a QUERY (e.g. institution:OMS)"
                              : "no QUERY given");
        return -1;
    }
    return 0;
}

/* Joins the query arguments with single spaces. */
static char *join_args(int argc, char **argv, size_t *len)
{
    size_t n = 0;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    size_t o = 0;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]);
        if (i > 0)
            s[o++] = ' ';
        memcpy(s + o, argv[i], l);
        o += l;
    }
    s[o] = '\0';
    *len = o;
    return s;
}

/* ---- output --------------------------------------------------------------------- */

static void print_snippet_text(const struct pdx_snippet *sn, int color)
{
    const char *on = color ? "\033[1m" : "**";
    const char *off = color ? "\033[0m" : "**";
    size_t at = 0;
    for (size_t h = 0; h < sn->nhl; h++) {
        fwrite(sn->text + at, 1, sn->hl_start[h] - at, stdout);
        fputs(on, stdout);
        fwrite(sn->text + sn->hl_start[h], 1, sn->hl_end[h] - sn->hl_start[h], stdout);
        fputs(off, stdout);
        at = sn->hl_end[h];
    }
    fwrite(sn->text + at, 1, sn->len - at, stdout);
}

/* Reads the stored document of result i into *d, borrowed from the result set until its
 * next read: the whole of it when `whole`, else what a result shows without looking for
 * words in the text (a large document's head: see pdx_schema.h). Returns 0, an XS_E_*
 * code (err set), or 1 when the index holds no stored document of this schema there. */
static int read_stored(struct xs_mset *ms, size_t i, int whole, struct pdx_docdata *d,
                       struct xs_error *err)
{
    const char *data;
    size_t len;
    int rc = xs_mset_value(ms, i, PDX_SLOT_DOC, &data, &len, err);
    if (rc != 0)
        return rc;
    if (pdx_docdata_decode(data, len, d) != 0)
        return 1;
    if (!whole || !d->head)
        return 0;
    if ((rc = xs_mset_value(ms, i, PDX_SLOT_BODY, &data, &len, err)) != 0)
        return rc;
    return pdx_docdata_decode(data, len, d) != 0 || d->head ? 1 : 0;
}

struct result {
    uint32_t rank, docid;
    double weight;
    int percent;
    struct pdx_docdata data;
    struct pdx_snippet snippet;
};

static void print_text_result(const struct result *r, int color)
{
    printf("%u. ", r->rank + 1);
    if (color)
        fputs("\033[1m", stdout);
    fwrite(r->data.title, 1, r->data.title_len, stdout);
    if (color)
        fputs("\033[0m", stdout);
    printf("\n   %.*s", (int)r->data.path_len, r->data.path);
    if (r->data.date_len)
        printf("  %.*s", (int)r->data.date_len, r->data.date);
    printf("  (%d%%)\n   ", r->percent);
    print_snippet_text(&r->snippet, color);
    fputs("\n\n", stdout);
}

static void print_json_result(const struct result *r, int first)
{
    printf("%s\n    {\"rank\": %u, \"docid\": %u, \"path\": ", first ? "" : ",", r->rank + 1,
           r->docid);
    pdx_json_string(stdout, r->data.path, r->data.path_len);
    fputs(", \"title\": ", stdout);
    pdx_json_string(stdout, r->data.title, r->data.title_len);
    fputs(", \"date\": ", stdout);
    if (r->data.date_len)
        pdx_json_string(stdout, r->data.date, r->data.date_len);
    else
        fputs("null", stdout);
    printf(", \"weight\": %.6f, \"percent\": %d,\n     \"snippet\": {\"text\": ", r->weight,
           r->percent);
    pdx_json_string(stdout, r->snippet.text, r->snippet.len);
    fputs(", \"highlights\": [", stdout);
    for (size_t h = 0; h < r->snippet.nhl; h++)
        printf("%s[%zu, %zu]", h ? ", " : "", r->snippet.hl_start[h], r->snippet.hl_end[h]);
    printf("], \"doc_start\": %zu, \"doc_end\": %zu}}", r->snippet.doc_start, r->snippet.doc_end);
}

/* ---- keyword in context -------------------------------------------------------- */

#define KWIC_CONTEXT 40

struct kwic {
    const struct pdx_docdata *d;
    int color;
    int json;
    unsigned lines;
};

/* Writes text[s, e) with white space collapsed to single spaces. */
static void put_collapsed(const char *t, size_t s, size_t e, FILE *f)
{
    int space = 0;
    for (size_t i = s; i < e; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            space = 1;
            continue;
        }
        if (space)
            fputc(' ', f);
        space = 0;
        fputc(c, f);
    }
    if (space)
        fputc(' ', f);
}

static size_t back_to_char(const char *t, size_t i)
{
    while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static int on_kwic(void *vctx, size_t start, size_t end)
{
    struct kwic *k = vctx;
    const char *t = k->d->text;
    size_t len = k->d->text_len;
    size_t ls = back_to_char(t, start > KWIC_CONTEXT ? start - KWIC_CONTEXT : 0);
    size_t re = end + KWIC_CONTEXT < len ? back_to_char(t, end + KWIC_CONTEXT) : len;
    /* Whole words only at the edges of the context. */
    for (size_t i = ls; ls > 0 && i < start; i++)
        if (t[i] == ' ' || t[i] == '\n') {
            ls = i + 1;
            break;
        }
    for (size_t i = re; re < len && i > end; i--)
        if (t[i - 1] == ' ' || t[i - 1] == '\n') {
            re = i - 1;
            break;
        }
    if (k->json) {
        printf("%s\n    {\"path\": ", k->lines ? "," : "");
        pdx_json_string(stdout, k->d->path, k->d->path_len);
        printf(", \"start\": %zu, \"end\": %zu, \"left\": ", start, end);
        pdx_json_string(stdout, t + ls, start - ls);
        fputs(", \"match\": ", stdout);
        pdx_json_string(stdout, t + start, end - start);
        fputs(", \"right\": ", stdout);
        pdx_json_string(stdout, t + end, re - end);
        fputc('}', stdout);
    } else {
        printf("%.*s:%zu: ", (int)k->d->path_len, k->d->path, start);
        put_collapsed(t, ls, start, stdout);
        fputs(k->color ? "\033[1m" : "[", stdout);
        fwrite(t + start, 1, end - start, stdout);
        fputs(k->color ? "\033[0m" : "]", stdout);
        put_collapsed(t, end, re, stdout);
        fputc('\n', stdout);
    }
    k->lines++;
    return 0;
}

/* ---- facets and tables ---------------------------------------------------------- */

/* YYYYMMDD → YYYY-MM-DD in `out` (11 bytes), or "" */
static const char *iso_date(const char *d, char *out)
{
    if (strlen(d) != 8) {
        out[0] = '\0';
        return out;
    }
    memcpy(out, d, 4);
    out[4] = '-';
    memcpy(out + 5, d + 4, 2);
    out[7] = '-';
    memcpy(out + 8, d + 6, 2);
    out[10] = '\0';
    return out;
}

enum table_format { TABLE_TEXT, TABLE_CSV, TABLE_JSON };

static void print_row_json(int kind, const struct pdx_stats_row *r)
{
    char f[11], l[11];
    fputs("{\"id\": ", stdout);
    pdx_json_cstr(stdout, r->id);
    if (kind != PDX_STATS_YEAR) {
        fputs(kind == PDX_STATS_INSTITUTION ? ", \"name\": " : ", \"label\": ", stdout);
        pdx_json_cstr(stdout, r->name);
    }
    if (kind == PDX_STATS_INSTITUTION) {
        fputs(", \"acronym\": ", stdout);
        pdx_json_cstr(stdout, r->acronym);
    }
    printf(", \"documents\": %u, \"mentions\": %llu, \"first\": ", r->docs,
           (unsigned long long)r->mentions);
    pdx_json_cstr(stdout, r->first[0] ? iso_date(r->first, f) : NULL);
    fputs(", \"last\": ", stdout);
    pdx_json_cstr(stdout, r->last[0] ? iso_date(r->last, l) : NULL);
    fputc('}', stdout);
}

static void print_table(int kind, const struct pdx_stats *st, int format, size_t limit)
{
    size_t n = limit && limit < st->n ? limit : st->n;
    char f[11], l[11];
    if (format == TABLE_JSON) {
        printf("{\"table\": \"%s\", \"documents_examined\": %u, \"rows\": [",
               pdx_stats_kind_name(kind), st->docs_seen);
        for (size_t i = 0; i < n; i++) {
            fputs(i ? ",\n  " : "\n  ", stdout);
            print_row_json(kind, &st->rows[i]);
        }
        fputs(n ? "\n]}\n" : "]}\n", stdout);
        return;
    }
    if (format == TABLE_CSV) {
        printf("%s", kind == PDX_STATS_INSTITUTION ? "id,name,acronym,"
                     : kind == PDX_STATS_PILLAR    ? "id,label,"
                                                   : "year,");
        printf("documents,mentions,first,last\n");
        for (size_t i = 0; i < n; i++) {
            const struct pdx_stats_row *r = &st->rows[i];
            pdx_csv_field(stdout, r->id, strlen(r->id));
            if (kind != PDX_STATS_YEAR) {
                fputc(',', stdout);
                pdx_csv_cstr(stdout, r->name);
            }
            if (kind == PDX_STATS_INSTITUTION) {
                fputc(',', stdout);
                pdx_csv_cstr(stdout, r->acronym);
            }
            printf(",%u,%llu,%s,%s\n", r->docs, (unsigned long long)r->mentions,
                   iso_date(r->first, f), iso_date(r->last, l));
        }
        return;
    }
    printf("%-28s %-9s %-9s %-10s %-10s %s\n", pdx_stats_kind_name(kind), "documents", "mentions",
           "first", "last", kind == PDX_STATS_YEAR ? "" : "name");
    for (size_t i = 0; i < n; i++) {
        const struct pdx_stats_row *r = &st->rows[i];
        printf("%-28s %-9u %-9llu %-10s %-10s ", r->id, r->docs, (unsigned long long)r->mentions,
               r->first[0] ? iso_date(r->first, f) : "-", r->last[0] ? iso_date(r->last, l) : "-");
        if (r->name)
            fputs(r->name, stdout);
        if (r->acronym)
            printf(" (%s)", r->acronym);
        fputc('\n', stdout);
    }
    if (n == 0)
        printf("(none)\n");
}

/* Drops the rows the query itself filters on (for --cooccur). */
static void drop_queried(struct pdx_stats *st, int kind, const struct pdx_query *pq)
{
    static const char *const prefix[] = {PDX_PREFIX_INSTITUTION, PDX_PREFIX_PILLAR,
                                         PDX_PREFIX_YEAR};
    size_t k = 0;
    for (size_t i = 0; i < st->n; i++) {
        char term[PDX_TERM_MAX + 8];
        snprintf(term, sizeof term, "%s%s", prefix[kind], st->rows[i].id);
        if (pdx_query_filters_on(pq, term)) {
            free(st->rows[i].id);
            free(st->rows[i].name);
            free(st->rows[i].acronym);
        } else {
            st->rows[k++] = st->rows[i];
        }
    }
    st->n = k;
}

/* ---- the index ------------------------------------------------------------------ */

static int read_meta(void *ctx, const char *key, const char **v, size_t *len)
{
    struct xs_error err;
    return xs_db_get_metadata(ctx, key, strlen(key), v, len, &err);
}

/* Refuses a shard built by another schema or analyzer: its terms would not match. */
static int check_shard(void *ctx, struct xs_db *shard, const char *where)
{
    const char *index = ctx;
    char why[128];
    int rc = pdx_check_versions(read_meta, shard, 0, why, sizeof why);
    if (rc < 0)
        msg("%s: cannot read its versions", where);
    else if (rc > 0)
        msg("%s: %s; rebuild it with 'polidex-index --rebuild -i %s PATH...'", where, why, index);
    return rc ? EXIT_INDEX : 0;
}

static void warn_partial(void *ctx, const char *where, const char *why)
{
    (void)ctx;
    msg("warning: %s: shard left out (--allow-partial): %s", where, why);
}

/* Opens the `n` indexes at `paths` (local, sharded or stubs naming remote shards) as one
 * reader, checking each shard's versions. Returns 0 or EXIT_INDEX (reported). */
static int open_indexes(const char *const *paths, size_t n, int allow_partial, struct xs_db **db)
{
    struct pdx_open_opts o = {.allow_partial = allow_partial,
                              .timeout_ms = REMOTE_TIMEOUT_MS,
                              .connect_timeout_ms = REMOTE_CONNECT_TIMEOUT_MS,
                              .warn = warn_partial,
                              .check = check_shard,
                              .ctx = (void *)paths[0]};
    char where[4200];
    struct xs_error err;
    int rc = pdx_index_open(paths, n, &o, db, where, sizeof where, &err);
    if (rc == 0 || rc == EXIT_INDEX)
        return rc;
    if (rc == XS_E_NETWORK)
        msg("%s: remote shard unreachable: %s%s", where, err.message,
            allow_partial ? "" : " (--allow-partial searches the other shards)");
    else if (strcmp(where, paths[0]) == 0 && n == 1)
        msg("%s: cannot open the index (%s); build it with 'polidex-index -i %s PATH...'", paths[0],
            err.message, paths[0]);
    else
        msg("%s: cannot open this shard of %s (%s)", where, paths[0], err.message);
    return EXIT_INDEX;
}

static int open_index(const char *path, struct xs_db **db)
{
    return open_indexes(&path, 1, 0, db);
}

static int stats_or_fail(const struct options *opt, struct xs_db *db, const struct xs_query *xq,
                         int kind, struct pdx_stats *st)
{
    struct xs_error err;
    if (pdx_stats_count(db, xq, kind, st, &err) != 0) {
        msg("%s: cannot count %ss: %s", opt->index, pdx_stats_kind_name(kind), err.message);
        pdx_stats_free(st);
        return EXIT_INDEX;
    }
    return 0;
}

/* --facets: the top values of each requested kind among the matching documents. */
static int print_facets(const struct options *opt, struct xs_db *db, const struct xs_query *xq)
{
    int rc = 0;
    if (opt->json)
        fputs(", \"facets\": {", stdout);
    else
        fputs("facets:\n", stdout);
    for (int i = 0; i < opt->nfacets && rc == 0; i++) {
        int kind = opt->facets[i];
        struct pdx_stats st = {0};
        if ((rc = stats_or_fail(opt, db, xq, kind, &st)) != 0)
            break;
        size_t n = st.n < FACET_TOP ? st.n : FACET_TOP;
        if (opt->json) {
            printf("%s\"%s\": [", i ? ", " : "", pdx_stats_kind_name(kind));
            for (size_t r = 0; r < n; r++) {
                fputs(r ? ", " : "", stdout);
                print_row_json(kind, &st.rows[r]);
            }
            fputc(']', stdout);
        } else {
            printf("  %s:", pdx_stats_kind_name(kind));
            for (size_t r = 0; r < n; r++)
                printf("%s %s (%u)", r ? "," : "",
                       st.rows[r].acronym ? st.rows[r].acronym : st.rows[r].id, st.rows[r].docs);
            fputs(n ? "\n" : " (none)\n", stdout);
        }
        pdx_stats_free(&st);
    }
    if (opt->json)
        fputc('}', stdout);
    return rc;
}

/* ---- did you mean -------------------------------------------------------------- */

#define SUGGESTION_MAX 4096

struct speller {
    struct pdx_analyzer *a;
    struct xs_db *db;
    const char *query;
    char *out;          /* the corrected query, built left to right */
    size_t len, copied; /* bytes written; bytes of the query consumed */
    int changed;
};

static void append(struct speller *sp, const char *s, size_t n)
{
    if (sp->len + n >= SUGGESTION_MAX)
        n = SUGGESTION_MAX - 1 - sp->len;
    memcpy(sp->out + sp->len, s, n);
    sp->len += n;
    sp->out[sp->len] = '\0';
}

static void on_query_word(void *ctx, size_t start, size_t len, const char *folded, const char *stem)
{
    struct speller *sp = ctx;
    char fix[PDX_TERM_MAX * 2 + 1];
    (void)stem;
    if (start < sp->copied || pdx_spell_suggest(sp->a, sp->db, folded, fix, sizeof fix) != 1)
        return;
    append(sp, sp->query + sp->copied, start - sp->copied);
    append(sp, fix, strlen(fix));
    sp->copied = start + len;
    sp->changed = 1;
}

/* Returns the corrected query (owned) when some word is unknown to the index and a close
 * indexed word exists, else NULL. */
static char *suggest(struct pdx_analyzer *a, struct xs_db *db, const struct pdx_query *pq,
                     const char *query, size_t query_len)
{
    struct speller sp = {.a = a, .db = db, .query = query, .out = malloc(SUGGESTION_MAX)};
    if (!sp.out)
        return NULL;
    sp.out[0] = '\0';
    pdx_query_each_word(pq, on_query_word, &sp);
    if (!sp.changed) {
        free(sp.out);
        return NULL;
    }
    append(&sp, query + sp.copied, query_len - sp.copied);
    return sp.out;
}

static int run_search(const struct options *opt, struct pdx_analyzer *a, struct xs_db *db,
                      const struct pdx_query *pq, const struct xs_query *xq, const char *query,
                      size_t query_len, const char *explain)
{
    struct xs_search_opts so = {.offset = opt->offset,
                                .count = opt->count,
                                .check_at_least = opt->exact_count ? UINT32_MAX : 0,
                                .sort_slot = opt->sort ? PDX_SLOT_DATE : -1,
                                .sort_descending = opt->sort < 0};
    struct xs_mset *ms;
    struct xs_error err;
    int rc = xs_db_search(db, xq, &so, &ms, &err);
    if (rc != 0) {
        if (err.code == XS_E_INVALID) {
            query_error(query, err.message);
            return EXIT_USAGE;
        }
        msg("%s: search failed: %s", opt->index, err.message);
        return EXIT_INDEX;
    }
    uint32_t lower = xs_mset_lower_bound(ms), upper = xs_mset_upper_bound(ms);
    uint32_t estimate = xs_mset_estimated(ms);
    int exact = lower == upper;
    uint32_t total = exact ? lower : estimate;
    int color = opt->color < 0 ? isatty(STDOUT_FILENO) : opt->color;
    size_t n = xs_mset_size(ms);

    if (opt->json) {
        fputs("{\"query\": ", stdout);
        pdx_json_string(stdout, query, query_len);
        if (explain) {
            fputs(", \"explain\": ", stdout);
            pdx_json_string(stdout, explain, strlen(explain));
        }
        printf(", \"total\": %u, \"total_exact\": %s, \"total_min\": %u, \"total_max\": %u,"
               " \"offset\": %u, \"count\": %zu, \"%s\": [",
               total, exact ? "true" : "false", lower, upper, opt->offset, n,
               opt->kwic ? "kwic" : "results");
    } else if (explain) {
        fputs(explain, stdout);
        fputc('\n', stdout);
    }
    struct kwic k = {.color = color, .json = opt->json};
    /* A query of filters only shows each document's beginning and looks for no word in
     * it: a large document's head is enough. */
    int whole = pdx_query_word_count(pq) > 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct result r = {.rank = xs_mset_rank(ms, i),
                           .docid = xs_mset_docid(ms, i),
                           .weight = xs_mset_weight(ms, i),
                           .percent = xs_mset_percent(ms, i)};
        int got = read_stored(ms, i, whole, &r.data, &err);
        if (got == 1) {
            msg("%s: document %u was not stored by polidex; rebuild the index", opt->index,
                r.docid);
        } else if (got != 0) {
            msg("%s: cannot read document %u: %s", opt->index, r.docid, err.message);
        }
        if (got != 0) {
            rc = EXIT_INDEX;
            break;
        }
        if (opt->kwic) {
            k.d = &r.data;
            if (pdx_snippet_each_match(a, pq, r.data.text, r.data.text_len, r.data.spans,
                                       r.data.spans_len, on_kwic, &k) < 0) {
                msg("cannot analyse document %u: %s", r.docid, pdx_analyze_failure());
                rc = EXIT_INTERNAL;
            }
            continue;
        }
        if (pdx_snippet_make(a, pq, r.data.text, r.data.text_len, r.data.spans, r.data.spans_len,
                             SNIPPET_WIDTH, &r.snippet) != 0) {
            msg("cannot make the snippet of document %u: %s", r.docid, pdx_analyze_failure());
            rc = EXIT_INTERNAL;
            break;
        }
        if (opt->json)
            print_json_result(&r, i == 0);
        else
            print_text_result(&r, color);
        pdx_snippet_free(&r.snippet);
    }
    /* Few or no results: is a word misspelt? */
    char *did_you_mean = total < 3 ? suggest(a, db, pq, query, query_len) : NULL;
    if (opt->json) {
        fputs(n ? "\n  ]" : "]", stdout);
        fputs(", \"did_you_mean\": ", stdout);
        pdx_json_cstr(stdout, did_you_mean);
        if (rc == 0 && opt->nfacets)
            rc = print_facets(opt, db, xq);
        fputs("}\n", stdout);
    } else if (rc == 0) {
        if (did_you_mean)
            printf("did you mean: %s\n", did_you_mean);
        if (n == 0 && total == 0)
            printf("no document matches\n");
        else if (exact)
            printf("results %u-%zu of %u\n", opt->offset + (n ? 1 : 0), opt->offset + n, lower);
        else
            printf("results %u-%zu of about %u (estimate; --exact-count to count them all)\n",
                   opt->offset + (n ? 1 : 0), opt->offset + n, estimate);
        if (opt->nfacets && total)
            rc = print_facets(opt, db, xq);
    }
    if (rc == 0 && total == 0)
        rc = EXIT_NOMATCH;
    free(did_you_mean);
    xs_mset_free(ms);
    return rc;
}

/* --list KIND [QUERY] and --cooccur KIND QUERY. */
static int run_table(const struct options *opt, struct xs_db *db, const struct pdx_query *pq,
                     const struct xs_query *xq)
{
    int kind = opt->list >= 0 ? opt->list : opt->cooccur;
    struct pdx_stats st = {0};
    int rc = stats_or_fail(opt, db, xq, kind, &st);
    if (rc != 0)
        return rc;
    if (opt->cooccur >= 0 && pq)
        drop_queried(&st, kind, pq);
    print_table(kind, &st,
                opt->json  ? TABLE_JSON
                : opt->csv ? TABLE_CSV
                           : TABLE_TEXT,
                opt->cooccur >= 0 ? opt->count : 0);
    if (st.truncated)
        msg("more than %u documents match: the table counts the first %u", PDX_STATS_MAX_DOCS,
            st.docs_seen);
    rc = st.n ? 0 : EXIT_NOMATCH;
    pdx_stats_free(&st);
    return rc;
}

/* Does the query name an institution: or pillar: field (whose value may need the
 * extractors' gazetteer and taxonomy)? */
static int needs_extractor(const char *query)
{
    return strstr(query, "institution:") != NULL || strstr(query, "pillar:") != NULL;
}

/* ---- benchmark mode ----------------------------------------------------------------
 * polidex-search --bench-queries FILE [-i INDEX] [-n N] [--repeat N]: runs every query of
 * FILE (one a line; empty and '#' lines skipped) N times (default 20) in this one process,
 * each time doing all a search does but print — parse, build, search, read the data and
 * make the snippet of each of the first -n results — and prints one line per query
 * ("median_us<TAB>hits<TAB>query") and a summary line ("queries Q runs R p50_ms X p90_ms
 * Y p99_ms Z max_ms M"). Used by tests/bench/bench.sh (see BENCHMARKS.md); not in --help.
 */
static double bench_now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int bench_cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double bench_pct(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* One timed search; returns the number of matches (estimate) or -1 on failure. */
static long bench_one(struct pdx_analyzer *a, struct pdx_extractor *ex, struct xs_db *db,
                      const char *q, size_t qlen, unsigned count)
{
    struct pdx_query_error qerr;
    struct xs_query *xq = NULL;
    struct pdx_query *pq = pdx_query_parse_ex(a, ex, q, qlen, &qerr);
    if (!pq || pdx_query_build(pq, &xq, &qerr) != 0) {
        query_error(q, qerr.message);
        pdx_query_free(pq);
        return -1;
    }
    struct xs_search_opts so = {.count = count, .sort_slot = -1};
    struct xs_mset *ms = NULL;
    struct xs_error err;
    long hits = -1;
    if (xs_db_search(db, xq, &so, &ms, &err) == 0) {
        hits = (long)xs_mset_estimated(ms);
        int whole = pdx_query_word_count(pq) > 0; /* as run_search reads them */
        for (size_t i = 0; i < xs_mset_size(ms); i++) {
            struct pdx_docdata dd;
            struct pdx_snippet sn;
            if (read_stored(ms, i, whole, &dd, &err) != 0 ||
                pdx_snippet_make(a, pq, dd.text, dd.text_len, dd.spans, dd.spans_len, SNIPPET_WIDTH,
                                 &sn) != 0) {
                hits = -1;
                break;
            }
            pdx_snippet_free(&sn);
        }
    } else {
        query_error(q, err.message);
    }
    xs_mset_free(ms);
    xs_query_free(xq);
    pdx_query_free(pq);
    return hits;
}

static int bench_main(int argc, char **argv)
{
    const char *file = argv[2], *index = getenv("POLIDEX_INDEX");
    unsigned repeat = 20, count = 10;
    if (!index || !*index)
        index = "polidex.db";
    for (int i = 3; i < argc; i += 2) {
        int bad = i + 1 >= argc;
        if (!bad && strcmp(argv[i], "-i") == 0)
            index = argv[i + 1];
        else if (!bad && strcmp(argv[i], "-n") == 0)
            bad = parse_uint(argv[i + 1], 100000, &count) != 0;
        else if (!bad && strcmp(argv[i], "--repeat") == 0)
            bad = parse_uint(argv[i + 1], 1000000, &repeat) != 0 || repeat == 0;
        else
            bad = 1;
        if (bad) {
            msg("--bench-queries FILE [-i INDEX] [-n N] [--repeat N]: bad option '%s'", argv[i]);
            return EXIT_USAGE;
        }
    }
    FILE *f = fopen(file, "r");
    if (!f) {
        msg("%s: %s", file, strerror(errno));
        return EXIT_INDEX;
    }
    char errbuf[256];
    struct pdx_analyzer *a = pdx_analyzer_new(errbuf, sizeof errbuf);
    struct pdx_extractor *ex = a ? pdx_extractor_new(NULL, NULL, errbuf, sizeof errbuf) : NULL;
    struct xs_db *db = NULL;
    int rc = !a || !ex ? EXIT_INTERNAL : open_index(index, &db);
    double *all = NULL, *one = malloc(repeat * sizeof *one);
    size_t nall = 0, cap = 0, nq = 0;
    char line[4096];
    while (rc == 0 && one && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        if (nall + repeat > cap) {
            cap = 2 * (nall + repeat);
            double *na = realloc(all, cap * sizeof *na);
            if (!na) {
                rc = EXIT_INTERNAL;
                break;
            }
            all = na;
        }
        long hits = 0;
        for (unsigned r = 0; r < repeat && hits >= 0; r++) {
            double t0 = bench_now_us();
            hits = bench_one(a, ex, db, line, len, count);
            one[r] = all[nall++] = bench_now_us() - t0;
        }
        if (hits < 0) {
            rc = EXIT_USAGE;
            break;
        }
        qsort(one, repeat, sizeof *one, bench_cmp);
        printf("%.0f\t%ld\t%s\n", bench_pct(one, repeat, 0.5), hits, line);
        nq++;
    }
    if (rc == 0 && (!one || nall == 0))
        rc = one ? EXIT_USAGE : EXIT_INTERNAL;
    if (rc == 0) {
        qsort(all, nall, sizeof *all, bench_cmp);
        printf("queries %zu runs %zu p50_ms %.3f p90_ms %.3f p99_ms %.3f max_ms %.3f\n", nq, nall,
               bench_pct(all, nall, 0.5) / 1e3, bench_pct(all, nall, 0.9) / 1e3,
               bench_pct(all, nall, 0.99) / 1e3, all[nall - 1] / 1e3);
    }
    free(all);
    free(one);
    fclose(f);
    xs_db_close(db);
    pdx_extractor_free(ex);
    pdx_analyzer_free(a);
    return rc;
}

int main(int argc, char **argv)
{
    pdx_heap_prefault(HEAP_PREFAULT);
    if (argc >= 3 && strcmp(argv[1], "--bench-queries") == 0)
        return bench_main(argc, argv);
    struct options opt = {.count = 10, .color = -1, .list = -1, .cooccur = -1};
    opt.index = getenv("POLIDEX_INDEX");
    if (!opt.index || !*opt.index)
        opt.index = "polidex.db";
    if (parse_options(argc, argv, &opt) != 0) {
        fprintf(stderr, "try '" PROG " --help'\n");
        return EXIT_USAGE;
    }
    if (opt.nindexes == 0)
        opt.indexes[opt.nindexes++] = opt.index;
    size_t qlen = 0;
    char *query = optind < argc ? join_args(argc - optind, argv + optind, &qlen) : NULL;
    if (optind < argc && !query) {
        msg("out of memory");
        return EXIT_INTERNAL;
    }
    char errbuf[256];
    struct pdx_analyzer *a = pdx_analyzer_new(errbuf, sizeof errbuf);
    /* One search analyses a few documents: a cache sized for a corpus would cost more
     * in page faults than it saves in stemming. */
    if (a)
        pdx_analyzer_keep_cache_small(a);
    if (!a) {
        msg("cannot start the analyzer: %s", errbuf);
        free(query);
        return EXIT_INTERNAL;
    }
    /* A query with institution: or pillar: asks the extractors about the names the
     * index's own table does not know; compiling their patterns costs more than the rest
     * of a search, so they are started only once such a name has turned up (below). */
    int want_ex = query && needs_extractor(query);
    struct pdx_extractor *ex = NULL;
    int rc = 0;
    struct pdx_query *pq = NULL;
    struct xs_query *xq = NULL;
    char *explain = NULL;
    struct xs_db *db = NULL;
    struct pdx_lexicon *lx = NULL;
    /* The query is checked before the index is opened: a syntax error is reported as
     * such even when the index is missing. */
    if (query) {
        struct pdx_query_error qerr;
        pq = pdx_query_parse_ex(a, NULL, query, qlen, &qerr);
        if (!pq && *pdx_icu_error()) { /* the query needed ICU, which cannot be loaded */
            query_error(query, qerr.message);
            rc = EXIT_INTERNAL;
        } else if (!pq) {
            query_error(query, qerr.message);
            fprintf(stderr, "try '" PROG " --help'\n");
            rc = EXIT_USAGE;
        }
    }
    if (rc == 0)
        rc = open_indexes(opt.indexes, opt.nindexes, opt.allow_partial, &db);
    if (rc == 0 && pq) {
        /* With the index's own names and acronyms, parse again to expand them too. */
        struct xs_error err;
        lx = pdx_lexicon_load(a, db, &err);
        if (!lx) {
            msg("%s: cannot read the institution table: %s", opt.index, err.message);
            rc = EXIT_INDEX;
        } else {
            struct pdx_query_error qerr;
            struct pdx_query *again = pdx_query_parse_lx(a, NULL, lx, query, qlen, &qerr);
            if (again && want_ex && pdx_query_unknown_names(again) > 0) {
                struct pdx_extractor_options only = {.kinds = PDX_EXTRACT_INSTITUTIONS |
                                                              PDX_EXTRACT_PILLARS};
                ex = pdx_extractor_new(&only, NULL, errbuf, sizeof errbuf);
                if (!ex) {
                    msg("cannot start the extractors: %s", errbuf);
                    rc = EXIT_INTERNAL;
                } else {
                    pdx_query_free(again);
                    again = pdx_query_parse_lx(a, ex, lx, query, qlen, &qerr);
                }
            }
            if (again) {
                pdx_query_free(pq);
                pq = again;
            }
            if (rc == 0 && pdx_query_build(pq, &xq, &qerr) != 0) {
                query_error(query, qerr.message);
                rc = EXIT_USAGE;
            }
        }
    }
    if (rc == 0 && opt.explain && pq) {
        explain = malloc(EXPLAIN_MAX);
        if (explain)
            pdx_query_explain(pq, explain, EXPLAIN_MAX);
    }
    if (rc == 0 && (opt.list >= 0 || opt.cooccur >= 0))
        rc = run_table(&opt, db, pq, xq);
    else if (rc == 0)
        rc = run_search(&opt, a, db, pq, xq, query, qlen, explain);
    free(explain);
    xs_query_free(xq);
    pdx_lexicon_free(lx);
    xs_db_close(db);
    pdx_query_free(pq);
    pdx_extractor_free(ex);
    pdx_analyzer_free(a);
    free(query);
    /* Everything of ours is freed; what exit() would still do is run the static
     * destructors of Xapian, ICU and the C++ library, a fifth of a millisecond of a
     * search that has nothing left for them to save. */
    fflush(stdout);
    fflush(stderr);
    _exit(rc);
}
