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
#include <unistd.h>

#include "pdx_analyzer.h"
#include "pdx_extract.h"
#include "pdx_query.h"
#include "pdx_schema.h"
#include "pdx_snippet.h"
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

#define SNIPPET_WIDTH 240

struct options {
    const char *index;
    unsigned count;
    unsigned offset;
    int json;
    int explain;
    int exact_count;
    int color; /* -1 auto */
    int sort;  /* 0 relevance, 1 date ascending, -1 date descending */
    int kwic;
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
            "  -i, --index DIR    index directory (default: $POLIDEX_INDEX, else ./polidex.db)\n"
            "  -n, --count N      results to show (default 10)\n"
            "      --offset N     skip the first N results\n"
            "      --exact-count  count every match exactly (otherwise an estimate)\n"
            "      --sort KEY     relevance (default), date (oldest first), -date (newest)\n"
            "      --kwic         keyword in context: one line per occurrence\n"
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
    enum { O_OFFSET = 256, O_JSON, O_EXPLAIN, O_EXACT, O_COLOR, O_VERSION, O_SORT, O_KWIC };
    static const struct option longopts[] = {
        {"index", required_argument, NULL, 'i'},       {"count", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, O_OFFSET}, {"json", no_argument, NULL, O_JSON},
        {"explain", no_argument, NULL, O_EXPLAIN},     {"exact-count", no_argument, NULL, O_EXACT},
        {"color", required_argument, NULL, O_COLOR},   {"sort", required_argument, NULL, O_SORT},
        {"kwic", no_argument, NULL, O_KWIC},           {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, O_VERSION},     {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    /* "+" stops at the first non-option, so a query word like -santé is not an option;
     * options go before the query. */
    while ((c = getopt_long(argc, argv, "+:i:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            opt->index = optarg;
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
    if (optind >= argc) {
        msg("no QUERY given");
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

static void json_string(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            if (c < 0x20)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
    }
    fputc('"', f);
}

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
    json_string(stdout, r->data.path, r->data.path_len);
    fputs(", \"title\": ", stdout);
    json_string(stdout, r->data.title, r->data.title_len);
    fputs(", \"date\": ", stdout);
    if (r->data.date_len)
        json_string(stdout, r->data.date, r->data.date_len);
    else
        fputs("null", stdout);
    printf(", \"weight\": %.6f, \"percent\": %d,\n     \"snippet\": {\"text\": ", r->weight,
           r->percent);
    json_string(stdout, r->snippet.text, r->snippet.len);
    fputs(", \"highlights\": [", stdout);
    for (size_t h = 0; h < r->snippet.nhl; h++)
        printf("%s[%zu, %zu]", h ? ", " : "", r->snippet.hl_start[h], r->snippet.hl_end[h]);
    printf("], \"doc_start\": %zu, \"doc_end\": %zu}}", r->snippet.doc_start, r->snippet.doc_end);
}

/* ---- the index ------------------------------------------------------------------ */

static int open_index(const char *path, struct xs_db **db)
{
    struct xs_error err;
    if (xs_db_open(path, db, &err) != 0) {
        msg("%s: cannot open the index (%s); build it with 'polidex-index -i %s PATH...'", path,
            err.message, path);
        return EXIT_INDEX;
    }
    static const struct {
        const char *key, *want, *what;
    } checks[] = {{PDX_META_SCHEMA, PDX_SCHEMA_VERSION, "schema"},
                  {PDX_META_ANALYZER, PDX_ANALYZER_VERSION, "analyzer"}};
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        const char *v;
        size_t vlen;
        if (xs_db_get_metadata(*db, checks[i].key, strlen(checks[i].key), &v, &vlen, &err) != 0) {
            msg("%s: %s", path, err.message);
            return EXIT_INDEX;
        }
        if (vlen != strlen(checks[i].want) || memcmp(v, checks[i].want, vlen) != 0) {
            msg("%s: built by %s version '%.*s', this is version %s; rebuild it with "
                "'polidex-index --rebuild -i %s PATH...'",
                path, checks[i].what, (int)vlen, v, checks[i].want, path);
            return EXIT_INDEX;
        }
    }
    return 0;
}

static int run_search(const struct options *opt, struct pdx_analyzer *a, struct xs_db *db,
                      const struct pdx_query *pq, const char *query, size_t query_len)
{
    struct pdx_query_error qerr;
    struct xs_query *xq;
    if (pdx_query_build(pq, &xq, &qerr) != 0) {
        msg("query '%s': %s", query, qerr.message);
        return EXIT_USAGE;
    }
    struct xs_search_opts so = {.offset = opt->offset,
                                .count = opt->count,
                                .check_at_least = opt->exact_count ? UINT32_MAX : 0,
                                .sort_slot = opt->sort ? PDX_SLOT_DATE : -1,
                                .sort_descending = opt->sort < 0};
    struct xs_mset *ms;
    struct xs_error err;
    int rc = xs_db_search(db, xq, &so, &ms, &err);
    xs_query_free(xq);
    if (rc != 0) {
        if (err.code == XS_E_INVALID) {
            msg("query '%s': %s", query, err.message);
            return EXIT_USAGE;
        }
        msg("%s: search failed: %s", opt->index, err.message);
        return EXIT_INDEX;
    }
    uint32_t lower = xs_mset_lower_bound(ms), upper = xs_mset_upper_bound(ms);
    uint32_t estimate = xs_mset_estimated(ms);
    int exact = lower == upper;
    int color = opt->color < 0 ? isatty(STDOUT_FILENO) : opt->color;
    size_t n = xs_mset_size(ms);

    if (opt->json) {
        fputs("{\"query\": ", stdout);
        json_string(stdout, query, query_len);
        printf(", \"total\": %u, \"total_exact\": %s, \"total_min\": %u, \"total_max\": %u,"
               " \"offset\": %u, \"count\": %zu, \"results\": [",
               exact ? lower : estimate, exact ? "true" : "false", lower, upper, opt->offset, n);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct result r = {.rank = xs_mset_rank(ms, i),
                           .docid = xs_mset_docid(ms, i),
                           .weight = xs_mset_weight(ms, i),
                           .percent = xs_mset_percent(ms, i)};
        const char *data;
        size_t dlen;
        if (xs_mset_data(ms, i, &data, &dlen, &err) != 0) {
            msg("%s: cannot read document %u: %s", opt->index, r.docid, err.message);
            rc = EXIT_INDEX;
            break;
        }
        if (pdx_docdata_decode(data, dlen, &r.data) != 0) {
            msg("%s: document %u was not stored by polidex; rebuild the index", opt->index,
                r.docid);
            rc = EXIT_INDEX;
            break;
        }
        if (pdx_snippet_make(a, pq, r.data.text, r.data.text_len, SNIPPET_WIDTH, &r.snippet) != 0) {
            msg("out of memory while making a snippet");
            rc = EXIT_INTERNAL;
            break;
        }
        if (opt->json)
            print_json_result(&r, i == 0);
        else
            print_text_result(&r, color);
        pdx_snippet_free(&r.snippet);
    }
    if (opt->json) {
        fputs(n ? "\n  ]}\n" : "]}\n", stdout);
    } else if (rc == 0) {
        if (n == 0 && (exact ? lower : estimate) == 0)
            printf("no document matches\n");
        else if (exact)
            printf("results %u-%zu of %u\n", opt->offset + (n ? 1 : 0), opt->offset + n, lower);
        else
            printf("results %u-%zu of about %u (estimate; --exact-count to count them all)\n",
                   opt->offset + (n ? 1 : 0), opt->offset + n, estimate);
    }
    if (rc == 0 && (exact ? lower : estimate) == 0)
        rc = EXIT_NOMATCH;
    xs_mset_free(ms);
    return rc;
}

int main(int argc, char **argv)
{
    struct options opt = {.count = 10, .color = -1};
    opt.index = getenv("POLIDEX_INDEX");
    if (!opt.index || !*opt.index)
        opt.index = "polidex.db";
    if (parse_options(argc, argv, &opt) != 0) {
        fprintf(stderr, "try '" PROG " --help'\n");
        return EXIT_USAGE;
    }
    size_t qlen;
    char *query = join_args(argc - optind, argv + optind, &qlen);
    if (!query) {
        msg("out of memory");
        return EXIT_INTERNAL;
    }
    char errbuf[256];
    struct pdx_analyzer *a = pdx_analyzer_new(errbuf, sizeof errbuf);
    if (!a) {
        msg("cannot start the analyzer: %s", errbuf);
        free(query);
        return EXIT_INTERNAL;
    }
    struct pdx_extractor *ex = pdx_extractor_new(NULL, NULL, errbuf, sizeof errbuf);
    if (!ex) {
        msg("cannot start the extractors: %s", errbuf);
        pdx_analyzer_free(a);
        free(query);
        return EXIT_INTERNAL;
    }
    int rc = 0;
    struct pdx_query_error qerr;
    struct pdx_query *pq = pdx_query_parse_ex(a, ex, query, qlen, &qerr);
    if (!pq) {
        msg("query '%s': %s", query, qerr.message);
        fprintf(stderr, "try '" PROG " --help'\n");
        rc = EXIT_USAGE;
    }
    if (rc == 0 && opt.explain) {
        char buf[8192];
        pdx_query_explain(pq, buf, sizeof buf);
        fputs(opt.json ? "" : buf, opt.json ? stdout : stderr);
    }
    struct xs_db *db = NULL;
    if (rc == 0)
        rc = open_index(opt.index, &db);
    if (rc == 0)
        rc = run_search(&opt, a, db, pq, query, qlen);
    xs_db_close(db);
    pdx_query_free(pq);
    pdx_extractor_free(ex);
    pdx_analyzer_free(a);
    free(query);
    return rc;
}
