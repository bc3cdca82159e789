/*
 * polidex-extract — dates, institutions and policy pillars found in French documents,
 * as JSON Lines (one object per file) or CSV (one row per mention). No index needed.
 * The output shape is documented in indexer/EXTRACT.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pdx_document.h"
#include "pdx_extract.h"
#include "pdx_heap.h"
#include "pdx_output.h"

#define PROG "polidex-extract"
#define MAX_FILE_BYTES ((size_t)1 << 30)
#define MAX_DATA_BYTES ((size_t)16 << 20)
/* The heap backed before anything else runs (see pdx_heap.h): extracting from one file
 * ends with about 1.1 MB of heap, most of it the compiled patterns, the names' tables and
 * the analyzer, which a run over many files needs as much before its first text. */
#define HEAP_PREFAULT (1280 * 1024)

enum exit_code { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_IO = 4, EXIT_INTERNAL = 5 };

enum format { FORMAT_JSON, FORMAT_CSV };

static const char usage_text[] =
    "usage: " PROG " [--ref-date YYYY-MM-DD] [--json|--csv] [--institutions FILE]\n"
    "                       [--pillars FILE] FILE...\n"
    "\n"
    "Finds dates (TIMEX3 values), institutions (canonical ids, acronyms) and policy\n"
    "pillars (taxonomy ids) in French text files and prints them with byte offsets.\n"
    "\n"
    "  --json                one JSON object per file, one per line (the default)\n"
    "  --csv                 one CSV row per mention, with a header row\n"
    "  --ref-date DATE       resolve relative dates (hier, l'an prochain, lundi) against\n"
    "                        DATE instead of the date the document states\n"
    "  --institutions FILE   add the institutions of FILE (format of the shipped\n"
    "                        gazetteer, see indexer/data/institutions.txt)\n"
    "  --pillars FILE        add the pillars of FILE (format of indexer/data/pillars.txt)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 success, 2 usage error, 3 bad input data (a file skipped or only\n"
    "partly analysed), 4 I/O error, 5 internal error.\n";

/* ---- messages: every diagnostic goes through here ------------------------------------ */

static void diag(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void diag(const char *where, const char *fmt, ...)
{
    va_list ap;
    fputs(PROG ": ", stderr);
    if (where)
        fprintf(stderr, "%s: ", where);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("; try '" PROG " --help'\n", stderr);
    return EXIT_USAGE;
}

/* ---- files ----------------------------------------------------------------------------- */

/* A buffer reused from file to file: with tens of thousands of small files, a fresh
 * allocation per file (and glibc giving the memory back each time) costs more than
 * reading them. */
struct read_buf {
    char *data;
    size_t cap;
};

/* Reads a whole file into `rb` (grown as needed, kept for the next file). Returns 0 with
 * the bytes in rb->data[0, *out_len), or an errno value (EFBIG when it exceeds `max`). */
static int read_file(const char *path, size_t max, struct read_buf *rb, size_t *out_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0, expect = (size_t)-1;
    int err = 0;
    struct stat sb;
    if (fd < 0)
        return errno ? errno : EIO;
    /* a regular file is read in one piece of its size (plus one byte to see the end) */
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (size_t)sb.st_size <= max)
        expect = (size_t)sb.st_size;
    if (expect != (size_t)-1 && expect + 1 > rb->cap) {
        char *n = realloc(rb->data, (size_t)sb.st_size + 1);
        if (!n) {
            close(fd);
            return ENOMEM;
        }
        rb->data = n;
        rb->cap = (size_t)sb.st_size + 1;
    }
    for (;;) {
        if (len == rb->cap) {
            size_t ncap = rb->cap ? rb->cap * 2 : 65536;
            if (rb->cap >= max + 1) {
                err = EFBIG;
                break;
            }
            if (ncap > max + 1)
                ncap = max + 1;
            char *n = realloc(rb->data, ncap);
            if (!n) {
                err = ENOMEM;
                break;
            }
            rb->data = n;
            rb->cap = ncap;
        }
        ssize_t got = read(fd, rb->data + len, rb->cap - len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            err = errno ? errno : EIO;
            break;
        }
        if (got == 0)
            break;
        len += (size_t)got;
        if (len == expect)
            break; /* the whole regular file: no need for a read that returns 0 */
        if (len > max) {
            err = EFBIG;
            break;
        }
    }
    close(fd);
    if (err)
        return err;
    *out_len = len;
    return 0;
}

static void format_ymd(const struct pdx_ymd *d, char *buf, size_t n)
{
    snprintf(buf, n, "%04d-%02d-%02d", d->year, d->month, d->day);
}

static const char *range_name(enum pdx_range_role r)
{
    return r == PDX_RANGE_BEGIN ? "begin" : r == PDX_RANGE_END ? "end" : NULL;
}

static void print_json(FILE *o, const char *path, const struct pdx_document *doc,
                       const struct pdx_extraction *x)
{
    const char *t = doc->text ? doc->text : "";
    size_t off = doc->bom_len;
    char buf[16];
    fputs("{\"path\":", o);
    pdx_json_cstr(o, path);
    fputs(",\"title\":", o);
    pdx_json_string(o, t + doc->title_start, doc->title_end - doc->title_start);
    fputs(",\"doc_date\":", o);
    if (x->has_doc_date) {
        format_ymd(&x->doc_date, buf, sizeof buf);
        pdx_json_cstr(o, buf);
    } else {
        fputs("null", o);
    }
    fputs(",\"ref_date\":", o);
    if (x->ref_source != PDX_REF_NONE) {
        format_ymd(&x->ref_date, buf, sizeof buf);
        pdx_json_cstr(o, buf);
    } else {
        fputs("null", o);
    }
    fputs(",\"ref_date_source\":", o);
    pdx_json_cstr(o, pdx_ref_source_name(x->ref_source));
    fputs(",\"dates\":[", o);
    for (size_t i = 0; i < x->n_dates; i++) {
        const struct pdx_date_mention *m = &x->dates[i];
        fprintf(o, "%s{\"start\":%zu,\"end\":%zu,\"text\":", i ? "," : "", m->start + off,
                m->end + off);
        pdx_json_string(o, t + m->start, m->end - m->start);
        fputs(",\"type\":", o);
        pdx_json_cstr(o, pdx_timex_type_name(m->type));
        fputs(",\"value\":", o);
        pdx_json_cstr(o, m->value);
        if (m->range != PDX_RANGE_NONE) {
            fputs(",\"range\":", o);
            pdx_json_cstr(o, range_name(m->range));
        }
        putc('}', o);
    }
    fputs("],\"institutions\":[", o);
    for (size_t i = 0; i < x->n_institutions; i++) {
        const struct pdx_institution_mention *m = &x->institutions[i];
        fprintf(o, "%s{\"start\":%zu,\"end\":%zu,\"text\":", i ? "," : "", m->start + off,
                m->end + off);
        pdx_json_string(o, t + m->start, m->end - m->start);
        fputs(",\"id\":", o);
        pdx_json_cstr(o, m->id);
        fputs(",\"name\":", o);
        pdx_json_cstr(o, m->name);
        fputs(",\"acronym\":", o);
        pdx_json_cstr(o, m->acronym);
        putc('}', o);
    }
    fputs("],\"pillars\":[", o);
    for (size_t i = 0; i < x->n_pillars; i++) {
        const struct pdx_pillar_mention *m = &x->pillars[i];
        fprintf(o, "%s{\"start\":%zu,\"end\":%zu,\"text\":", i ? "," : "", m->start + off,
                m->end + off);
        pdx_json_string(o, t + m->start, m->end - m->start);
        fputs(",\"id\":", o);
        pdx_json_cstr(o, m->id);
        fputs(",\"label\":", o);
        pdx_json_cstr(o, m->label);
        if (m->from_list)
            fputs(",\"from_list\":true", o);
        putc('}', o);
    }
    fputs("]}\n", o);
}

static void print_csv(FILE *o, const char *path, const struct pdx_document *doc,
                      const struct pdx_extraction *x)
{
    const char *t = doc->text ? doc->text : "";
    size_t off = doc->bom_len;
    for (size_t i = 0; i < x->n_dates; i++) {
        const struct pdx_date_mention *m = &x->dates[i];
        pdx_csv_cstr(o, path);
        fprintf(o, ",date,%zu,%zu,", m->start + off, m->end + off);
        pdx_csv_field(o, t + m->start, m->end - m->start);
        fprintf(o, ",%s,", pdx_timex_type_name(m->type));
        pdx_csv_cstr(o, m->value);
        fputs(",,,,\n", o);
    }
    for (size_t i = 0; i < x->n_institutions; i++) {
        const struct pdx_institution_mention *m = &x->institutions[i];
        pdx_csv_cstr(o, path);
        fprintf(o, ",institution,%zu,%zu,", m->start + off, m->end + off);
        pdx_csv_field(o, t + m->start, m->end - m->start);
        fputs(",,,", o);
        pdx_csv_cstr(o, m->id);
        putc(',', o);
        pdx_csv_cstr(o, m->name);
        putc(',', o);
        pdx_csv_cstr(o, m->acronym);
        fputs(",\n", o);
    }
    for (size_t i = 0; i < x->n_pillars; i++) {
        const struct pdx_pillar_mention *m = &x->pillars[i];
        pdx_csv_cstr(o, path);
        fprintf(o, ",pillar,%zu,%zu,", m->start + off, m->end + off);
        pdx_csv_field(o, t + m->start, m->end - m->start);
        fputs(",,,", o);
        pdx_csv_cstr(o, m->id);
        fputs(",,,", o);
        pdx_csv_cstr(o, m->label);
        putc('\n', o);
    }
}

/* ---- main ------------------------------------------------------------------------------ */

struct options {
    const char *ref_date;
    enum format format;
    const char *institutions;
    const char *pillars;
    int first_file;
};

static int parse_args(int argc, char **argv, struct options *o)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return -1;
        }
        if (strcmp(a, "--json") == 0) {
            o->format = FORMAT_JSON;
        } else if (strcmp(a, "--csv") == 0) {
            o->format = FORMAT_CSV;
        } else if (strcmp(a, "--ref-date") == 0 || strcmp(a, "--institutions") == 0 ||
                   strcmp(a, "--pillars") == 0) {
            if (i + 1 >= argc)
                return usage_error("option '%s' needs a value", a);
            const char *v = argv[++i];
            if (a[2] == 'r')
                o->ref_date = v;
            else if (a[2] == 'i')
                o->institutions = v;
            else
                o->pillars = v;
        } else if (strncmp(a, "--ref-date=", 11) == 0) {
            o->ref_date = a + 11;
        } else if (strncmp(a, "--institutions=", 15) == 0) {
            o->institutions = a + 15;
        } else if (strncmp(a, "--pillars=", 10) == 0) {
            o->pillars = a + 10;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (i >= argc)
        return usage_error("%s", "no FILE given");
    o->first_file = i;
    return 0;
}

static int load_data(const char *path, char **buf, size_t *len)
{
    struct read_buf rb = {NULL, 0};
    int err;
    if (!path)
        return 0;
    if ((err = read_file(path, MAX_DATA_BYTES, &rb, len)) != 0) {
        free(rb.data);
        diag(path, "cannot read: %s", err == EFBIG ? "file too large" : strerror(err));
        return EXIT_IO;
    }
    *buf = rb.data;
    return 0;
}

/* Analyses one file; returns the exit status it calls for (0 when all went well). */
static int process_file(struct pdx_extractor *ex, struct read_buf *rb, const char *path,
                        const struct pdx_ymd *ref, enum format format)
{
    size_t len = 0, bad = 0;
    int err = read_file(path, MAX_FILE_BYTES, rb, &len), status = 0;
    if (err) {
        diag(path, "cannot read: %s", err == EFBIG ? "file too large (over 1 GiB)" : strerror(err));
        return err == ENOMEM ? EXIT_INTERNAL : EXIT_IO;
    }
    struct pdx_document doc = {0};
    int ds = pdx_document_decode(rb->data, len, &doc, &bad);
    if (ds == PDX_DOC_INVALID_UTF8) {
        diag(path, "invalid UTF-8 at byte %zu, skipped", bad);
        return EXIT_DATA;
    }
    if (ds == PDX_DOC_BINARY) {
        diag(path, "binary file, skipped");
        return EXIT_DATA;
    }
    if (ds == PDX_DOC_NOMEM || ds == PDX_DOC_INTERNAL) {
        diag(path, "cannot decode: %s", pdx_document_status_message(ds));
        return EXIT_INTERNAL;
    }
    struct pdx_extraction x = {0};
    int rc = PDX_EXTRACT_OK;
    if (ds == PDX_DOC_OK)
        rc = pdx_extract(ex, doc.text, doc.len, ref, PDX_EXTRACT_ALL, &x);
    else if (ref) /* an empty document still says which reference it would use */
        x.ref_date = *ref, x.ref_source = PDX_REF_OPTION;
    if (rc == PDX_EXTRACT_EINVAL) {
        diag(path, "invalid UTF-8 after decoding, skipped");
        status = EXIT_INTERNAL;
    } else if (rc != PDX_EXTRACT_OK) {
        diag(path, "out of memory during extraction, skipped");
        status = EXIT_INTERNAL;
    } else {
        if (x.limit_errors) {
            diag(path, "pattern limit hit %zu time(s), first at byte %zu; mentions there skipped",
                 x.limit_errors, x.first_limit_error + doc.bom_len);
            status = EXIT_DATA;
        }
        if (x.truncated) {
            diag(path, "more than %u mentions of one kind; the rest skipped",
                 (unsigned)PDX_EXTRACT_MAX_MENTIONS);
            status = EXIT_DATA;
        }
        if (format == FORMAT_JSON)
            print_json(stdout, path, &doc, &x);
        else
            print_csv(stdout, path, &doc, &x);
    }
    pdx_extraction_free(&x);
    pdx_document_free(&doc);
    return status;
}

int main(int argc, char **argv)
{
    pdx_heap_prefault(HEAP_PREFAULT);
    struct options o = {NULL, FORMAT_JSON, NULL, NULL, 0};
    struct pdx_ymd ref, *refp = NULL;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (o.ref_date) {
        if (pdx_ymd_parse(o.ref_date, &ref) != 0)
            return usage_error("--ref-date '%s' is not a date YYYY-MM-DD", o.ref_date);
        refp = &ref;
    }
    char *inst = NULL, *pill = NULL;
    size_t inst_len = 0, pill_len = 0;
    if ((rc = load_data(o.institutions, &inst, &inst_len)) != 0 ||
        (rc = load_data(o.pillars, &pill, &pill_len)) != 0) {
        free(inst);
        return rc;
    }
    struct pdx_extractor_options eo = {0};
    eo.institutions = inst;
    eo.institutions_len = inst_len;
    eo.institutions_name = o.institutions;
    eo.pillars = pill;
    eo.pillars_len = pill_len;
    eo.pillars_name = o.pillars;
    char err[256];
    int st;
    struct pdx_extractor *ex = pdx_extractor_new(&eo, &st, err, sizeof err);
    free(inst);
    free(pill);
    if (!ex) {
        diag(NULL, "%s", err);
        return st == PDX_EXTRACT_EDATA || (st == PDX_EXTRACT_EPCRE && (o.institutions || o.pillars))
                   ? EXIT_DATA
                   : EXIT_INTERNAL;
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (o.format == FORMAT_CSV)
        fputs("path,kind,start,end,text,type,value,id,name,acronym,label\n", stdout);
    int status = EXIT_OK;
    struct read_buf rb = {NULL, 0};
    for (int i = o.first_file; i < argc; i++) {
        int s = process_file(ex, &rb, argv[i], refp, o.format);
        if (s == EXIT_INTERNAL) {
            status = EXIT_INTERNAL;
            break;
        }
        if (s > status)
            status = s;
    }
    free(rb.data);
    pdx_extractor_free(ex);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        diag("stdout", "write error: %s", strerror(errno));
        return EXIT_IO;
    }
    return status;
}
