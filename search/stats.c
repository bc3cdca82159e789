/*
 * stats.c — facets and corpus tables from filter terms.
 */
#include "pdx_stats.h"

#include <stdlib.h>
#include <string.h>

#include "pdx_schema.h"

static const char *const kind_prefix[] = {PDX_PREFIX_INSTITUTION, PDX_PREFIX_PILLAR,
                                          PDX_PREFIX_YEAR};
static const char *const kind_names_prefix[] = {PDX_PREFIX_INSTITUTION_NAME,
                                                PDX_PREFIX_PILLAR_LABEL, NULL};
static const char *const kind_names[] = {"institution", "pillar", "year"};

int pdx_stats_kind_from_name(const char *name)
{
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(kind_names[k]);
        if (strcmp(name, kind_names[k]) == 0 ||
            (strncmp(name, kind_names[k], n) == 0 && strcmp(name + n, "s") == 0))
            return k;
    }
    return -1;
}

const char *pdx_stats_kind_name(int kind)
{
    return kind >= 0 && kind < 3 ? kind_names[kind] : "?";
}

/* Rows are found through an open-addressing index over their ids. */
struct table {
    struct pdx_stats *s;
    size_t *slots; /* row index + 1, 0 when empty */
    size_t nslots;
};

static size_t hash(const char *s, size_t len)
{
    size_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static int grow_index(struct table *t)
{
    size_t n = t->nslots ? t->nslots * 2 : 256;
    size_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t r = 0; r < t->s->n; r++) {
        const char *id = t->s->rows[r].id;
        size_t i = hash(id, strlen(id)) & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = r + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return 0;
}

static struct pdx_stats_row *find_or_add(struct table *t, const char *id, size_t len)
{
    if ((t->s->n + 1) * 2 > t->nslots && grow_index(t) != 0)
        return NULL;
    size_t i = hash(id, len) & (t->nslots - 1);
    while (t->slots[i]) {
        struct pdx_stats_row *row = &t->s->rows[t->slots[i] - 1];
        if (strlen(row->id) == len && memcmp(row->id, id, len) == 0)
            return row;
        i = (i + 1) & (t->nslots - 1);
    }
    struct pdx_stats *s = t->s;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct pdx_stats_row *rows = realloc(s->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        s->rows = rows;
        s->cap = cap;
    }
    struct pdx_stats_row *row = &s->rows[s->n];
    memset(row, 0, sizeof *row);
    row->id = malloc(len + 1);
    if (!row->id)
        return NULL;
    memcpy(row->id, id, len);
    row->id[len] = '\0';
    t->slots[i] = ++s->n;
    return row;
}

struct doc_walk {
    struct table *t;
    size_t prefix_len;
    const char *date; /* this document's date, YYYYMMDD or "" */
    int failed;
};

static int on_term(void *vctx, const char *term, size_t len, uint32_t wdf)
{
    struct doc_walk *w = vctx;
    struct pdx_stats_row *row = find_or_add(w->t, term + w->prefix_len, len - w->prefix_len);
    if (!row) {
        w->failed = 1;
        return 1;
    }
    row->docs++;
    row->mentions += wdf;
    if (w->date[0]) {
        if (!row->first[0] || strcmp(w->date, row->first) < 0)
            memcpy(row->first, w->date, 9);
        if (!row->last[0] || strcmp(w->date, row->last) > 0)
            memcpy(row->last, w->date, 9);
    }
    return 0;
}

/* Names: "XN" id TAB name [TAB acronym]. */
static int on_name(void *vctx, const char *term, size_t len, uint32_t freq)
{
    (void)freq;
    struct doc_walk *w = vctx;
    const char *id = term + w->prefix_len;
    const char *end = term + len;
    const char *tab = memchr(id, '\t', (size_t)(end - id));
    if (!tab)
        return 0;
    /* Only ids already counted get a name; a lookup, not an insertion. */
    struct table *t = w->t;
    size_t idlen = (size_t)(tab - id);
    size_t i = hash(id, idlen) & (t->nslots - 1);
    struct pdx_stats_row *row = NULL;
    while (t->nslots && t->slots[i]) {
        struct pdx_stats_row *r = &t->s->rows[t->slots[i] - 1];
        if (strlen(r->id) == idlen && memcmp(r->id, id, idlen) == 0) {
            row = r;
            break;
        }
        i = (i + 1) & (t->nslots - 1);
    }
    if (!row || row->name)
        return 0;
    const char *name = tab + 1;
    const char *tab2 = memchr(name, '\t', (size_t)(end - name));
    const char *name_end = tab2 ? tab2 : end;
    row->name = strndup(name, (size_t)(name_end - name));
    if (tab2)
        row->acronym = strndup(tab2 + 1, (size_t)(end - tab2 - 1));
    if (!row->name || (tab2 && !row->acronym)) {
        w->failed = 1;
        return 1;
    }
    return 0;
}

static int by_docs(const void *a, const void *b)
{
    const struct pdx_stats_row *x = a, *y = b;
    if (x->docs != y->docs)
        return x->docs > y->docs ? -1 : 1;
    if (x->mentions != y->mentions)
        return x->mentions > y->mentions ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct pdx_stats_row *)a)->id, ((const struct pdx_stats_row *)b)->id);
}

int pdx_stats_count(struct xs_db *db, const struct xs_query *q, int kind, struct pdx_stats *out,
                    struct xs_error *err)
{
    struct xs_query *all = NULL;
    if (!q) {
        if (xs_query_match_all(&all, err) != 0)
            return -1;
        q = all;
    }
    struct xs_search_opts so = {
        .offset = 0, .count = PDX_STATS_MAX_DOCS, .check_at_least = 0, .sort_slot = -1};
    struct xs_mset *ms;
    int rc = xs_db_search(db, q, &so, &ms, err);
    xs_query_free(all);
    if (rc != 0)
        return -1;
    struct table t = {.s = out};
    const char *prefix = kind_prefix[kind];
    struct doc_walk w = {.t = &t, .prefix_len = strlen(prefix)};
    size_t n = xs_mset_size(ms);
    out->truncated = xs_mset_upper_bound(ms) > n;
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint32_t docid = xs_mset_docid(ms, i);
        const char *date;
        size_t dlen;
        char date_buf[9] = "";
        if (xs_mset_value(ms, i, PDX_SLOT_DATE, &date, &dlen, err) == 0 && dlen == 8)
            memcpy(date_buf, date, 8);
        w.date = date_buf;
        if (xs_db_doc_terms(db, docid, prefix, strlen(prefix), on_term, &w, err) != 0)
            rc = -1;
        else if (w.failed) {
            err->code = XS_E_NOMEM;
            memcpy(err->message, "out of memory", sizeof "out of memory");
            rc = -1;
        }
        out->docs_seen++;
    }
    xs_mset_free(ms);
    /* Names come from the names terms of the whole index: one walk, not one per row. */
    if (rc == 0 && kind_names_prefix[kind] && t.nslots) {
        const char *np = kind_names_prefix[kind];
        struct doc_walk nw = {.t = &t, .prefix_len = strlen(np)};
        if (xs_db_terms(db, np, strlen(np), on_name, &nw, err) != 0 || nw.failed)
            rc = -1;
    }
    free(t.slots);
    if (rc == 0 && out->n)
        qsort(out->rows, out->n, sizeof *out->rows, kind == PDX_STATS_YEAR ? by_id : by_docs);
    return rc;
}

void pdx_stats_free(struct pdx_stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->rows[i].id);
        free(s->rows[i].name);
        free(s->rows[i].acronym);
    }
    free(s->rows);
    memset(s, 0, sizeof *s);
}
