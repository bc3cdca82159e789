/*
 * fuzz_extract.h — the checks shared by fuzz_dates.c, fuzz_institutions.c and
 * fuzz_pillars.c: bytes → pdx_document_decode → pdx_extract of one kind, run twice,
 * with the default PCRE2 limits and with tiny ones (so that the "limit hit: report and
 * skip" path is exercised on every input and must neither hang nor break an invariant).
 *
 * Invariants: extraction succeeds on valid text; the mentions of each kind are sorted,
 * do not overlap, are non-empty, inside the text and on character boundaries; dates have
 * well-formed TIMEX3 values whose calendar fields agree with the value, ranges come in
 * BEGIN/END pairs; institution and pillar ids are lower-case slugs with non-empty UTF-8
 * names and labels; a limit error's offset is inside the text.
 */
#ifndef TESTS_FUZZ_FUZZ_EXTRACT_H
#define TESTS_FUZZ_FUZZ_EXTRACT_H

#include "fuzz_common.h"

#include "pdx_document.h"
#include "pdx_extract.h"

/* The extractor, with default limits (tiny == 0) or with tiny ones (tiny == 1). */
static struct pdx_extractor *fuzz_extractor(int tiny)
{
    static struct pdx_extractor *ex[2];
    if (ex[tiny] == NULL) {
        struct pdx_extractor_options o = {0};
        if (tiny) {
            o.match_limit = 40;
            o.depth_limit = 4;
            o.heap_limit_kib = 1;
        }
        char why[256];
        int st;
        ex[tiny] = pdx_extractor_new(&o, &st, why, sizeof why);
        if (ex[tiny] == NULL) {
            fprintf(stderr, "pdx_extractor_new: %d: %s\n", st, why);
            abort();
        }
    }
    return ex[tiny];
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_extractor(0);
    fuzz_extractor(1);
    return 0;
}

static void fuzz_check_span(const char *text, size_t len, size_t start, size_t end,
                            size_t *prev_end)
{
    FUZZ_CHECK(start < end && end <= len);
    FUZZ_CHECK(start >= *prev_end);
    FUZZ_CHECK(fuzz_on_boundary(text, len, start));
    FUZZ_CHECK(fuzz_on_boundary(text, len, end));
    *prev_end = end;
}

static int fuzz_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int fuzz_num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Checks a TIMEX3 value and that its calendar fields agree with `ymd`. */
static void fuzz_check_timex(const struct pdx_date_mention *d)
{
    const char *v = d->value;
    size_t n = strnlen(v, PDX_TIMEX_VALUE_MAX);
    FUZZ_CHECK(n > 0 && n < PDX_TIMEX_VALUE_MAX);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'A' && v[i] <= 'Z') || v[i] == '-' ||
                   v[i] == ':' || v[i] == '.' || v[i] == '_');
    const struct pdx_ymd *y = &d->ymd;
    FUZZ_CHECK(y->month >= 0 && y->month <= 12 && y->day >= 0 && y->day <= 31);
    switch (d->type) {
    case PDX_TIMEX_DURATION:
        FUZZ_CHECK(v[0] == 'P' && n >= 3);
        FUZZ_CHECK(y->year == 0 && y->month == 0 && y->day == 0);
        return;
    case PDX_TIMEX_SET:
        FUZZ_CHECK(y->year == 0 && y->month == 0 && y->day == 0);
        return;
    case PDX_TIMEX_TIME:
        FUZZ_CHECK(strchr(v, 'T') != NULL);
        break;
    case PDX_TIMEX_DATE:
        break;
    default:
        FUZZ_CHECK(!"unknown TIMEX3 type");
    }
    if (strcmp(v, "PRESENT_REF") == 0 || strcmp(v, "PAST_REF") == 0 ||
        strcmp(v, "FUTURE_REF") == 0) {
        FUZZ_CHECK(y->year == 0 && y->month == 0 && y->day == 0);
        return;
    }
    /* YYYY or XXXX (or a decade/century: YYY, YY), then -MM, then -DD */
    size_t k = strcspn(v, "-T");
    FUZZ_CHECK(k >= 2 && k <= 4);
    if (k == 4 && fuzz_digits(v, 4))
        FUZZ_CHECK(y->year == fuzz_num(v, 4) && y->year > 0);
    else
        FUZZ_CHECK(y->year == 0 && (k < 4 || memcmp(v, "XXXX", 4) == 0 || fuzz_digits(v, k)));
    if (v[k] == '-' && n >= k + 3 && fuzz_digits(v + k + 1, 2) &&
        (v[k + 3] == '\0' || v[k + 3] == '-' || v[k + 3] == 'T')) {
        FUZZ_CHECK(y->month == fuzz_num(v + k + 1, 2) && y->month >= 1);
        if (v[k + 3] == '-' && n >= k + 6 && fuzz_digits(v + k + 4, 2))
            FUZZ_CHECK(y->day == fuzz_num(v + k + 4, 2) && y->day >= 1);
        else
            FUZZ_CHECK(y->day == 0);
    } else {
        FUZZ_CHECK(y->month == 0 && y->day == 0);
    }
}

static void fuzz_check_name(const char *s)
{
    FUZZ_CHECK(s != NULL && s[0] != '\0' && fuzz_utf8_valid(s, strlen(s)));
}

static void fuzz_check_extraction(const char *text, size_t len, const struct pdx_extraction *x,
                                  unsigned kinds)
{
    size_t prev = 0;
    if (!(kinds & PDX_EXTRACT_DATES))
        FUZZ_CHECK(x->n_dates == 0);
    if (!(kinds & PDX_EXTRACT_INSTITUTIONS))
        FUZZ_CHECK(x->n_institutions == 0);
    if (!(kinds & PDX_EXTRACT_PILLARS))
        FUZZ_CHECK(x->n_pillars == 0);
    for (size_t i = 0; i < x->n_dates; i++) {
        const struct pdx_date_mention *d = &x->dates[i];
        fuzz_check_span(text, len, d->start, d->end, &prev);
        fuzz_check_timex(d);
        if (d->range == PDX_RANGE_BEGIN)
            FUZZ_CHECK(i + 1 < x->n_dates && x->dates[i + 1].range == PDX_RANGE_END);
        else if (d->range == PDX_RANGE_END)
            FUZZ_CHECK(i > 0 && x->dates[i - 1].range == PDX_RANGE_BEGIN);
        else
            FUZZ_CHECK(d->range == PDX_RANGE_NONE);
    }
    prev = 0;
    for (size_t i = 0; i < x->n_institutions; i++) {
        const struct pdx_institution_mention *m = &x->institutions[i];
        fuzz_check_span(text, len, m->start, m->end, &prev);
        FUZZ_CHECK(m->id != NULL && fuzz_is_slug(m->id, strlen(m->id)));
        fuzz_check_name(m->name);
        if (m->acronym != NULL)
            fuzz_check_name(m->acronym);
    }
    prev = 0;
    /* A declared list's item may contain mentions of other themes, wholly: they are
     * checked against the item instead of against the previous mention. */
    size_t item_start = 0, item_end = 0;
    for (size_t i = 0; i < x->n_pillars; i++) {
        const struct pdx_pillar_mention *m = &x->pillars[i];
        if (!m->from_list && item_end > 0 && m->start >= item_start && m->end <= item_end &&
            m->start < m->end) {
            FUZZ_CHECK(fuzz_on_boundary(text, len, m->start));
            FUZZ_CHECK(fuzz_on_boundary(text, len, m->end));
        } else {
            fuzz_check_span(text, len, m->start, m->end, &prev);
            if (m->from_list) {
                item_start = m->start;
                item_end = m->end;
            }
        }
        FUZZ_CHECK(m->id != NULL && fuzz_is_slug(m->id, strlen(m->id)));
        fuzz_check_name(m->label);
        FUZZ_CHECK(m->from_list == 0 || m->from_list == 1);
    }
    if (x->limit_errors > 0)
        FUZZ_CHECK(x->first_limit_error <= len);
    if (x->has_doc_date)
        FUZZ_CHECK(x->doc_date.year >= 1000 && x->doc_date.year <= 9999 && x->doc_date.month >= 1 &&
                   x->doc_date.month <= 12 && x->doc_date.day >= 1 && x->doc_date.day <= 31);
}

/* The whole run for one input and one extractor kind. */
static void fuzz_extract_input(const uint8_t *data, size_t size, unsigned kinds)
{
    struct pdx_document doc = {0};
    if (pdx_document_decode((const char *)data, size, &doc, NULL) != PDX_DOC_OK)
        return;
    static const struct pdx_ymd ref = {2025, 11, 4};
    for (int tiny = 0; tiny <= 1; tiny++) {
        struct pdx_extraction x = {0};
        /* with the tiny limits, also resolve against an explicit reference date */
        int rc =
            pdx_extract(fuzz_extractor(tiny), doc.text, doc.len, tiny ? &ref : NULL, kinds, &x);
        FUZZ_CHECK(rc == PDX_EXTRACT_OK);
        fuzz_check_extraction(doc.text, doc.len, &x, kinds);
        if (tiny)
            FUZZ_CHECK(x.ref_source == PDX_REF_OPTION);
        else
            FUZZ_CHECK(x.ref_source == (x.has_doc_date ? PDX_REF_DOCUMENT : PDX_REF_NONE));
        pdx_extraction_free(&x);
        FUZZ_CHECK(x.n_dates == 0 && x.n_institutions == 0 && x.n_pillars == 0);
    }
    pdx_document_free(&doc);
}

#endif /* TESTS_FUZZ_FUZZ_EXTRACT_H */
