/*
 * dump_terms.c — the benchmark's term-stream writer (not installed, not a polidex program).
 *
 * Runs polidex's own analysis over every document under PATH (document reader, the
 * extractors, the analyzer, the schema of pdx_schema.h) and writes what polidex-index
 * would hand to Xapian — positioned words, Z stems, S title words, Y/M/D, XI and XP
 * filter terms, the Q id term, the value slots and the document data — as a binary
 * stream that tests/bench/xapian_ceiling.cc replays straight into Xapian, so that the
 * ceiling measures Xapian's writing alone, with no analysis.
 *
 * Usage: dump_terms PATH OUT.  Prints "docs bytes seconds" (analysis time) on stdout.
 *
 * Stream (host byte order; it never leaves the machine that wrote it), per document:
 *   'D'                              start of a document
 *   'P' u16 len, term, u32 pos       a posting (wdf 1 at one position)
 *   'T' u16 len, term, u32 wdf       a term without position
 *   'B' u16 len, term                a boolean term (wdf 0)
 *   'V' u8 slot, u32 len, bytes      a value
 *   'A' u32 len, bytes               the document data
 *   'E'                              end of the document
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pdx_analyzer.h"
#include "pdx_docbuild.h"
#include "pdx_document.h"
#include "pdx_extract.h"
#include "pdx_schema.h"
#include "pdx_walk.h"

#define PROG "dump_terms"
#define TERM_BUF (PDX_TERM_MAX + 8)

struct dump {
    FILE *out;
    struct pdx_analyzer *a;
    struct pdx_extractor *ex;
    const char *prefix; /* "" for the body, "S" for the title */
    int with_stems;
    unsigned long docs;
    unsigned long long bytes;
    int failed;
};

static void put_u16(FILE *f, size_t v)
{
    uint16_t x = (uint16_t)v;
    fwrite(&x, sizeof x, 1, f);
}

static void put_u32(FILE *f, size_t v)
{
    uint32_t x = (uint32_t)v;
    fwrite(&x, sizeof x, 1, f);
}

static void put_term(FILE *f, char type, const char *prefix, const char *s, size_t len)
{
    size_t pl = strlen(prefix);
    fputc(type, f);
    put_u16(f, pl + len);
    fwrite(prefix, 1, pl, f);
    fwrite(s, 1, len, f);
}

static void put_value(FILE *f, int slot, const char *s, size_t len)
{
    fputc('V', f);
    fputc(slot, f);
    put_u32(f, len);
    fwrite(s, 1, len, f);
}

/* Mirrors docbuild.c's add_token: the word at its position, then its stem. */
static int on_token(void *ctx, const struct pdx_token *t)
{
    struct dump *d = ctx;
    put_term(d->out, 'P', d->prefix, t->folded, t->folded_len);
    put_u32(d->out, t->pos);
    if (d->with_stems && !(t->flags & (PDX_TOK_STOPWORD | PDX_TOK_ELISION))) {
        put_term(d->out, 'T', PDX_PREFIX_STEM, t->stem, t->stem_len);
        put_u32(d->out, 1);
    }
    return 0;
}

static void put_date_terms(FILE *f, const struct pdx_ymd *y)
{
    char v[16];
    if (y->year <= 0 || y->year > 9999)
        return;
    int n = snprintf(v, sizeof v, "%04d", y->year);
    put_term(f, 'T', PDX_PREFIX_YEAR, v, (size_t)n);
    put_u32(f, 1);
    if (y->month < 1 || y->month > 12)
        return;
    n = snprintf(v, sizeof v, "%04d%02d", y->year, y->month);
    put_term(f, 'T', PDX_PREFIX_MONTH, v, (size_t)n);
    put_u32(f, 1);
    if (y->day < 1 || y->day > 31)
        return;
    n = snprintf(v, sizeof v, "%04d%02d%02d", y->year, y->month, y->day);
    put_term(f, 'T', PDX_PREFIX_DAY, v, (size_t)n);
    put_u32(f, 1);
}

static void put_extraction(FILE *f, const struct pdx_extraction *x)
{
    for (size_t i = 0; i < x->n_dates; i++)
        if (x->dates[i].type == PDX_TIMEX_DATE)
            put_date_terms(f, &x->dates[i].ymd);
    if (x->has_doc_date)
        put_date_terms(f, &x->doc_date);
    for (size_t i = 0; i < x->n_institutions; i++) {
        put_term(f, 'T', PDX_PREFIX_INSTITUTION, x->institutions[i].id,
                 strlen(x->institutions[i].id));
        put_u32(f, 1);
    }
    for (size_t i = 0; i < x->n_pillars; i++) {
        put_term(f, 'T', PDX_PREFIX_PILLAR, x->pillars[i].id, strlen(x->pillars[i].id));
        put_u32(f, 1);
    }
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void dump_document(struct dump *d, const struct pdx_walk_entry *e, const char *bytes,
                          size_t len, const struct pdx_document *doc)
{
    FILE *f = d->out;
    char hash[17], num[32], idterm[PDX_IDTERM_MAX + 1];
    pdx_content_hash(bytes, len, hash);
    struct pdx_extraction found = {0};
    pdx_extract(d->ex, doc->text, doc->len, NULL, PDX_EXTRACT_ALL, &found);

    fputc('D', f);
    d->prefix = "", d->with_stems = 1;
    if (pdx_analyze(d->a, doc->text, doc->len, 1, on_token, d) != 0)
        d->failed = 1;
    const char *title = doc->text + doc->title_start;
    size_t title_len = doc->title_end - doc->title_start;
    d->prefix = PDX_PREFIX_TITLE, d->with_stems = 0;
    if (pdx_analyze(d->a, title, title_len, 1, on_token, d) != 0)
        d->failed = 1;
    put_extraction(f, &found);
    size_t idlen = pdx_idterm(e->path, idterm, sizeof idterm);
    put_term(f, 'B', "", idterm, idlen);

    /* The document date as docbuild.c stores it: YYYY-MM-DD in the data, YYYYMMDD in
     * the value slot. */
    char date[48] = "", date_value[9] = "";
    if (found.has_doc_date && found.doc_date.day > 0 && found.doc_date.month > 0)
        snprintf(date, sizeof date, "%04d-%02d-%02d", found.doc_date.year, found.doc_date.month,
                 found.doc_date.day);
    if (strlen(date) == 10) {
        memcpy(date_value, date, 4);
        memcpy(date_value + 4, date + 5, 2);
        memcpy(date_value + 6, date + 8, 2);
        put_value(f, PDX_SLOT_DATE, date_value, 8);
    }
    put_value(f, PDX_SLOT_HASH, hash, 16);
    put_value(f, PDX_SLOT_TITLE, title, title_len);
    put_value(f, PDX_SLOT_PATH, e->path, strlen(e->path));
    int n = snprintf(num, sizeof num, "%lld", (long long)e->size);
    put_value(f, PDX_SLOT_SIZE, num, (size_t)n);
    n = snprintf(num, sizeof num, "%lld", e->mtime);
    put_value(f, PDX_SLOT_MTIME, num, (size_t)n);

    struct pdx_docdata dd = {.path = e->path,
                             .path_len = strlen(e->path),
                             .title = title,
                             .title_len = title_len,
                             .date = date,
                             .date_len = strlen(date),
                             .text = doc->text,
                             .text_len = doc->len};
    char *blob;
    size_t blob_len;
    if (pdx_docdata_encode(&dd, &blob, &blob_len) == 0) {
        fputc('A', f);
        put_u32(f, blob_len);
        fwrite(blob, 1, blob_len, f);
        free(blob);
    }
    fputc('E', f);
    pdx_extraction_free(&found);
}

static int on_entry(void *ctx, const struct pdx_walk_entry *e)
{
    struct dump *d = ctx;
    if (e->kind != PDX_WALK_FILE)
        return 0;
    size_t len;
    char *bytes = slurp(e->path, &len);
    if (!bytes) {
        fprintf(stderr, PROG ": %s: cannot read, skipped\n", e->path);
        return 0;
    }
    struct pdx_document doc = {0};
    size_t bad = 0;
    if (pdx_document_decode(bytes, len, &doc, &bad) == PDX_DOC_OK) {
        dump_document(d, e, bytes, len, &doc);
        d->docs++;
        d->bytes += len;
    }
    pdx_document_free(&doc);
    free(bytes);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: " PROG " PATH OUT\n");
        return 2;
    }
    char errbuf[256];
    struct dump d = {0};
    d.a = pdx_analyzer_new(errbuf, sizeof errbuf);
    d.ex = d.a ? pdx_extractor_new(NULL, NULL, errbuf, sizeof errbuf) : NULL;
    d.out = fopen(argv[2], "wb");
    if (!d.a || !d.ex || !d.out) {
        fprintf(stderr, PROG ": cannot start: %s\n", d.out ? errbuf : argv[2]);
        return 5;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = pdx_walk(argv[1], on_entry, &d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (fclose(d.out) != 0 || rc != 0 || d.failed) {
        fprintf(stderr, PROG ": %s: failed\n", argv[2]);
        rc = 4;
    }
    printf("%lu %llu %.3f\n", d.docs, d.bytes,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    pdx_extractor_free(d.ex);
    pdx_analyzer_free(d.a);
    return rc;
}
