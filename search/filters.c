/*
 * filters.c — field values to filter terms.
 */
#include "pdx_filters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdx_docbuild.h"
#include "pdx_schema.h"

int pdx_field_from_name(const char *name, size_t len)
{
    static const struct {
        const char *name;
        int field;
    } names[] = {{"institution", PDX_FIELD_INSTITUTION},
                 {"pillar", PDX_FIELD_PILLAR},
                 {"date", PDX_FIELD_DATE},
                 {"path", PDX_FIELD_PATH},
                 {"doc", PDX_FIELD_PATH}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == len && memcmp(names[i].name, name, len) == 0)
            return names[i].field;
    return 0;
}

static int add_term(struct pdx_filter_terms *t, const char *prefix, const char *s, size_t len)
{
    if (t->n >= PDX_FILTER_MAX_TERMS)
        return -1;
    size_t pl = strlen(prefix);
    char *term = malloc(pl + len + 1);
    char **grown = realloc(t->terms, (t->n + 1) * sizeof *grown);
    if (!term || !grown) {
        free(term);
        if (grown)
            t->terms = grown;
        return -1;
    }
    t->terms = grown;
    memcpy(term, prefix, pl);
    memcpy(term + pl, s, len);
    term[pl + len] = '\0';
    t->terms[t->n++] = term;
    return 0;
}

void pdx_filter_terms_free(struct pdx_filter_terms *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->terms[i]);
    free(t->terms);
    t->terms = NULL;
    t->n = 0;
}

/* ---- dates ---------------------------------------------------------------------- */

struct day {
    int y, m, d;
};

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Parses YYYY, YYYY-MM or YYYY-MM-DD into its first (or last) day; returns the
 * precision (1 year, 2 month, 3 day) or -1. */
static int parse_date(const char *s, size_t n, int last, struct day *out)
{
    struct day d = {0, 1, 1};
    int precision;
    if (n != 4 && n != 7 && n != 10)
        return -1;
    if (digits(s, 4, &d.y) != 0 || d.y < 1000)
        return -1;
    precision = 1;
    if (n >= 7) {
        if (s[4] != '-' || digits(s + 5, 2, &d.m) != 0 || d.m < 1 || d.m > 12)
            return -1;
        precision = 2;
    }
    if (n == 10) {
        if (s[7] != '-' || digits(s + 8, 2, &d.d) != 0 || d.d < 1 || d.d > days_in_month(d.y, d.m))
            return -1;
        precision = 3;
    }
    if (last) {
        if (precision == 1)
            d.m = 12;
        if (precision <= 2)
            d.d = days_in_month(d.y, d.m);
    }
    *out = d;
    return precision;
}

static int day_cmp(const struct day *a, const struct day *b)
{
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    if (a->m != b->m)
        return a->m < b->m ? -1 : 1;
    return a->d < b->d ? -1 : a->d > b->d;
}

/* Covers [from, to] with whole years, then whole months, then days. */
static int cover_range(struct day from, const struct day *to, struct pdx_filter_terms *t)
{
    char v[16];
    while (day_cmp(&from, to) <= 0) {
        struct day year_end = {from.y, 12, 31};
        struct day month_end = {from.y, from.m, days_in_month(from.y, from.m)};
        if (from.m == 1 && from.d == 1 && day_cmp(&year_end, to) <= 0) {
            snprintf(v, sizeof v, "%04d", from.y);
            if (add_term(t, PDX_PREFIX_YEAR, v, 4) != 0)
                return -1;
            from.y++;
        } else if (from.d == 1 && day_cmp(&month_end, to) <= 0) {
            snprintf(v, sizeof v, "%04d%02d", from.y, from.m);
            if (add_term(t, PDX_PREFIX_MONTH, v, 6) != 0)
                return -1;
            if (++from.m > 12) {
                from.m = 1;
                from.y++;
            }
        } else {
            snprintf(v, sizeof v, "%04d%02d%02d", from.y, from.m, from.d);
            if (add_term(t, PDX_PREFIX_DAY, v, 8) != 0)
                return -1;
            if (++from.d > days_in_month(from.y, from.m)) {
                from.d = 1;
                if (++from.m > 12) {
                    from.m = 1;
                    from.y++;
                }
            }
        }
    }
    return 0;
}

static int date_terms(const char *v, size_t len, struct pdx_filter_terms *t, char *errbuf,
                      size_t errbuf_len)
{
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < len; i++)
        if (v[i] == '.' && v[i + 1] == '.') {
            dots = v + i;
            break;
        }
    struct day from, to;
    if (!dots) {
        if (parse_date(v, len, 0, &from) < 0 || parse_date(v, len, 1, &to) < 0) {
            snprintf(errbuf, errbuf_len,
                     "date:%.*s: not a date (use YYYY, YYYY-MM, YYYY-MM-DD or A..B)", (int)len, v);
            return -1;
        }
    } else {
        size_t left = (size_t)(dots - v), right = len - left - 2;
        /* An open end stands for the earliest or latest date an index may hold. */
        int ok_from =
            left == 0 ? (from = (struct day){1000, 1, 1}, 1) : parse_date(v, left, 0, &from) > 0;
        int ok_to = right == 0 ? (to = (struct day){9999, 12, 31}, 1)
                               : parse_date(dots + 2, right, 1, &to) > 0;
        if (!ok_from || !ok_to || (left == 0 && right == 0)) {
            snprintf(errbuf, errbuf_len,
                     "date:%.*s: not a date range (use A..B with YYYY, YYYY-MM or YYYY-MM-DD)",
                     (int)len, v);
            return -1;
        }
        if (day_cmp(&from, &to) > 0) {
            snprintf(errbuf, errbuf_len, "date:%.*s: impossible range, it ends before it starts",
                     (int)len, v);
            return -1;
        }
    }
    if (cover_range(from, &to, t) != 0) {
        snprintf(errbuf, errbuf_len, "date:%.*s: range too wide (at most %d terms)", (int)len, v,
                 PDX_FILTER_MAX_TERMS);
        return -1;
    }
    snprintf(t->resolved, sizeof t->resolved, "%04d-%02d-%02d..%04d-%02d-%02d (%zu terms)", from.y,
             from.m, from.d, to.y, to.m, to.d, t->n);
    return 0;
}

/* ---- institutions, pillars, paths ----------------------------------------------- */

/* An id made from the value itself: folded words joined by '-', as the extractors make
 * their slugs. */
struct slug {
    char buf[PDX_TERM_MAX + 1];
    size_t len;
    struct pdx_analyzer *a;
};

static int slug_token(void *vctx, const struct pdx_token *tok)
{
    struct slug *s = vctx;
    if (tok->flags & PDX_TOK_JOINED)
        return 0;
    if (s->len + 1 + tok->folded_len >= sizeof s->buf)
        return 0;
    if (s->len)
        s->buf[s->len++] = '-';
    memcpy(s->buf + s->len, tok->folded, tok->folded_len);
    s->len += tok->folded_len;
    s->buf[s->len] = '\0';
    return 0;
}

static int entity_terms(struct pdx_analyzer *a, const struct pdx_lexicon *lx,
                        struct pdx_extractor *ex, int field, const char *v, size_t len,
                        struct pdx_filter_terms *t)
{
    const char *prefix =
        field == PDX_FIELD_INSTITUTION ? PDX_PREFIX_INSTITUTION : PDX_PREFIX_PILLAR;
    int lkind = field == PDX_FIELD_INSTITUTION ? PDX_LEXICON_INSTITUTION : PDX_LEXICON_PILLAR;
    char known[PDX_LEXICON_ID_MAX];
    if (pdx_lexicon_find(lx, a, lkind, v, len, known, sizeof known)) {
        snprintf(t->resolved, sizeof t->resolved, "%.120s (from the index's table)", known);
        return add_term(t, prefix, known, strlen(known));
    }
    t->unknown_name = 1;
    if (ex) {
        struct pdx_extraction x = {0};
        unsigned kind =
            field == PDX_FIELD_INSTITUTION ? PDX_EXTRACT_INSTITUTIONS : PDX_EXTRACT_PILLARS;
        const char *id = NULL, *label = NULL;
        if (pdx_extract(ex, v, len, NULL, kind, &x) == PDX_EXTRACT_OK) {
            if (field == PDX_FIELD_INSTITUTION && x.n_institutions > 0) {
                id = x.institutions[0].id;
                label = x.institutions[0].name;
            } else if (field == PDX_FIELD_PILLAR && x.n_pillars > 0) {
                id = x.pillars[0].id;
                label = x.pillars[0].label;
            }
        }
        int rc = 0;
        if (id) {
            rc = add_term(t, prefix, id, strlen(id));
            snprintf(t->resolved, sizeof t->resolved, "%s (%s)", id, label ? label : "");
        }
        pdx_extraction_free(&x);
        if (id)
            return rc;
    }
    /* Not recognised: the value may be an id already (oms, ministere-sante). */
    struct slug s = {.a = a};
    int is_id = len > 0;
    for (size_t i = 0; i < len; i++)
        if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-'))
            is_id = 0;
    if (is_id) {
        memcpy(s.buf, v, len < PDX_TERM_MAX ? len : PDX_TERM_MAX);
        s.len = len < PDX_TERM_MAX ? len : PDX_TERM_MAX;
    } else if (pdx_analyze(a, v, len, 1, slug_token, &s) < 0) {
        return -1;
    }
    snprintf(t->resolved, sizeof t->resolved, "%.*s (by id)", (int)s.len, s.buf);
    return add_term(t, prefix, s.buf, s.len);
}

int pdx_filter_terms(struct pdx_analyzer *a, const struct pdx_lexicon *lx, struct pdx_extractor *ex,
                     int field, const char *value, size_t len, struct pdx_filter_terms *out,
                     char *errbuf, size_t errbuf_len)
{
    memset(out, 0, sizeof *out);
    if (len == 0) {
        snprintf(errbuf, errbuf_len, "a field needs a value");
        return -1;
    }
    int rc;
    switch (field) {
    case PDX_FIELD_DATE:
        return date_terms(value, len, out, errbuf, errbuf_len);
    case PDX_FIELD_PATH: {
        /* A trailing '/' or '*' selects everything under a directory. */
        char path[PDX_IDTERM_MAX + 1];
        size_t n = len;
        if (value[n - 1] == '*') {
            n--;
            out->prefix_match = 1;
        } else if (value[n - 1] == '/') {
            out->prefix_match = 1;
        }
        if (n >= sizeof path - 1) {
            snprintf(errbuf, errbuf_len, "path: value too long");
            return -1;
        }
        memcpy(path, value, n);
        path[n] = '\0';
        char term[PDX_IDTERM_MAX + 1];
        size_t tl = out->prefix_match ? (term[0] = 'Q', memcpy(term + 1, path, n + 1), n + 1)
                                      : pdx_idterm(path, term, sizeof term);
        rc = add_term(out, "", term, tl);
        snprintf(out->resolved, sizeof out->resolved, "%.100s%s", path,
                 out->prefix_match ? " (and below)" : "");
        break;
    }
    default:
        rc = entity_terms(a, lx, ex, field, value, len, out);
    }
    if (rc != 0) {
        pdx_filter_terms_free(out);
        snprintf(errbuf, errbuf_len, "out of memory");
        return -1;
    }
    return 0;
}
