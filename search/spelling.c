/*
 * spelling.c — nearest indexed word by edit distance.
 */
#include "pdx_spelling.h"

#include <stdio.h>
#include <string.h>

#include "pdx_schema.h"

#define WORD_MAX 64

/* Code points of a folded word (folded words are mostly ASCII, but not all). */
static size_t decode(const char *s, size_t len, unsigned *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n < max;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        unsigned cp = c < 0x80 ? c : c & (0x3F >> (k - 1));
        for (size_t j = 1; j < k && i + j < len; j++)
            cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3F);
        out[n++] = cp;
        i += k;
    }
    return n;
}

/* Optimal string alignment distance, giving up early beyond `limit`. */
static int distance(const unsigned *a, size_t na, const unsigned *b, size_t nb, int limit)
{
    int rows[3][WORD_MAX + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= nb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = (int)i;
        int best = cur[0];
        for (size_t j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d)
                d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
            if (d < best)
                best = d;
        }
        if (best > limit)
            return limit + 1;
        int *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb];
}

struct search {
    unsigned word[WORD_MAX];
    size_t n;
    int limit;
    int best_distance;
    uint32_t best_freq;
    char best[PDX_TERM_MAX + 1];
};

static int on_term(void *vctx, const char *term, size_t len, uint32_t freq)
{
    struct search *s = vctx;
    unsigned cand[WORD_MAX];
    if (len > PDX_TERM_MAX)
        return 0;
    size_t n = decode(term, len, cand, WORD_MAX);
    if (n + (size_t)s->limit < s->n || n > s->n + (size_t)s->limit)
        return 0;
    int d = distance(s->word, s->n, cand, n, s->limit);
    if (d == 0 || d > s->limit)
        return 0;
    if (d < s->best_distance || (d == s->best_distance && freq > s->best_freq)) {
        s->best_distance = d;
        s->best_freq = freq;
        memcpy(s->best, term, len);
        s->best[len] = '\0';
    }
    return 0;
}

struct locate {
    struct xs_db *db;
    uint32_t docid;
};

static int first_posting(void *vctx, uint32_t docid, uint32_t wdf)
{
    (void)wdf;
    ((struct locate *)vctx)->docid = docid;
    return 1;
}

/* Span-recording wrapper: pdx_analyze gives spans, so a second pass keeps the first. */
struct span {
    const char *folded;
    size_t start, end;
    int found;
};

static int on_span(void *vctx, const struct pdx_token *tok)
{
    struct span *s = vctx;
    if (tok->flags & PDX_TOK_JOINED || strlen(s->folded) != tok->folded_len ||
        memcmp(tok->folded, s->folded, tok->folded_len) != 0)
        return 0;
    s->start = tok->start;
    s->end = tok->end;
    s->found = 1;
    return 1;
}

static void as_written(struct pdx_analyzer *a, struct xs_db *db, const char *folded, char *out,
                       size_t out_len)
{
    /* Default: the folded form itself. */
    snprintf(out, out_len, "%s", folded);
    struct locate loc = {db, 0};
    struct xs_error err;
    if (xs_db_postings(db, folded, strlen(folded), first_posting, &loc, &err) != 0 || !loc.docid)
        return;
    const char *data;
    size_t dlen;
    struct pdx_docdata d;
    if (xs_db_get_value(db, loc.docid, PDX_SLOT_DOC, &data, &dlen, &err) != 0 ||
        pdx_docdata_decode(data, dlen, &d) != 0)
        return;
    /* A large document's head may not hold the word: its whole text then. */
    if (d.head && (xs_db_get_value(db, loc.docid, PDX_SLOT_BODY, &data, &dlen, &err) != 0 ||
                   pdx_docdata_decode(data, dlen, &d) != 0))
        return;
    struct span sp = {.folded = folded};
    if (pdx_analyze(a, d.text, d.text_len, 1, on_span, &sp) < 0 || !sp.found)
        return;
    /* As written: « Kazakhstan » keeps its capital, « coopération » its accent. */
    snprintf(out, out_len, "%.*s", (int)(sp.end - sp.start), d.text + sp.start);
}

int pdx_spell_suggest(struct pdx_analyzer *a, struct xs_db *db, const char *folded, char *out,
                      size_t out_len)
{
    struct xs_error err;
    uint32_t freq = 0;
    size_t len = strlen(folded);
    if (len == 0 || len > PDX_TERM_MAX)
        return 0;
    if (xs_db_termfreq(db, folded, len, &freq, &err) != 0)
        return -1;
    if (freq > 0)
        return 0;
    struct search s = {.best_distance = PDX_SPELL_MAX_DISTANCE + 1};
    s.n = decode(folded, len, s.word, WORD_MAX);
    if (s.n < 3 || s.n >= WORD_MAX)
        return 0;
    s.limit = s.n <= 4 ? 1 : PDX_SPELL_MAX_DISTANCE;
    /* Candidates share the first letter: one walk over a slice of the vocabulary. Index
     * words are lower case, prefixed terms upper case, so the slice holds words only. */
    size_t first = ((unsigned char)folded[0] < 0x80) ? 1 : 2;
    if (xs_db_terms(db, folded, first, on_term, &s, &err) != 0)
        return -1;
    if (!s.best[0])
        return 0;
    as_written(a, db, s.best, out, out_len);
    return 1;
}
