/*
 * snippet.c — choosing and highlighting the best passage of a matching document.
 */
#include "pdx_snippet.h"

#include <stdlib.h>
#include <string.h>

/* Matches remembered per document; the passage is chosen among them. The array starts
 * small and doubles: most documents shown have a few dozen, and a search's every fresh
 * page of memory costs it more than the copying. */
#define MAX_MATCHES 4096
#define FIRST_MATCHES 64
/* Analysing a huge document for every result would dominate search time: look for the
 * passage in its first part only. */
#define SCAN_LIMIT (2u * 1024 * 1024)

struct match {
    size_t start, end;
    int word;
};

struct scan {
    const struct pdx_query *q;
    struct match *m;
    size_t n, cap;
    int nomem;
};

static int on_token(void *vctx, const struct pdx_token *tok)
{
    struct scan *s = vctx;
    int w = pdx_query_match_token(s->q, tok);
    if (w < 0)
        return 0;
    if (s->n == s->cap) {
        struct match *m = realloc(s->m, 2 * s->cap * sizeof *m);
        if (m == NULL) {
            s->nomem = 1;
            return 1;
        }
        s->m = m;
        s->cap *= 2;
    }
    s->m[s->n].start = tok->start;
    s->m[s->n].end = tok->end;
    s->m[s->n].word = w;
    return ++s->n == MAX_MATCHES;
}

/* Bytes of white space at text[i] (ASCII, NBSP, narrow NBSP), or 0. */
static size_t space_at(const char *t, size_t i, size_t len)
{
    unsigned char c = (unsigned char)t[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v')
        return 1;
    if (c == 0xC2 && i + 1 < len && (unsigned char)t[i + 1] == 0xA0)
        return 2;
    if (c == 0xE2 && i + 2 < len && (unsigned char)t[i + 1] == 0x80 &&
        (unsigned char)t[i + 2] == 0xAF)
        return 3;
    return 0;
}

/* Moves a cut point to a character boundary. */
static size_t char_boundary(const char *t, size_t i, size_t len)
{
    while (i < len && ((unsigned char)t[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* Picks the match index that starts the window with the most distinct words. */
static size_t best_anchor(const struct match *m, size_t n, size_t nwords, size_t width)
{
    unsigned *seen = calloc(nwords ? nwords : 1, sizeof *seen);
    if (!seen)
        return 0;
    size_t best = 0, best_score = 0, distinct = 0, j = 0;
    for (size_t i = 0; i < n; i++) {
        while (j < n && m[j].end <= m[i].start + width) {
            if (seen[m[j].word]++ == 0)
                distinct++;
            j++;
        }
        size_t score = distinct * 10000 + (j - i);
        if (score > best_score) {
            best_score = score;
            best = i;
        }
        if (--seen[m[i].word] == 0)
            distinct--;
    }
    free(seen);
    return best;
}

static const char ELLIPSIS[] = "\xe2\x80\xa6";

/* Finds the query's matches among the tokens of text[0, len): from the stored span table
 * when there is one that fits, else by analysing the text. Only the tokens that begin
 * like a query word are reported, and only those that can have a query word's stem are
 * stemmed (stemming every word of every document shown was a fifth of a search's
 * snippet work). */
static int analyze_for(struct pdx_analyzer *a, const struct pdx_query *q, const char *text,
                       size_t len, const unsigned char *spans, size_t spans_len, pdx_token_fn fn,
                       void *ctx)
{
    unsigned char stem_first[256];
    struct pdx_report_filter report;
    pdx_query_stem_first_bytes(q, stem_first);
    pdx_query_report_filter(q, &report);
    pdx_analyzer_stem_only(a, stem_first);
    pdx_analyzer_report_only(a, &report);
    int rc = PDX_SPANS_MISFIT;
    if (spans != NULL)
        rc = pdx_analyze_spans(a, text, len, spans, spans_len, 1, fn, ctx);
    if (rc == PDX_SPANS_MISFIT) /* no table, or one that does not fit: no token reported */
        rc = pdx_analyze(a, text, len, 1, fn, ctx);
    pdx_analyzer_report_only(a, NULL);
    pdx_analyzer_stem_only(a, NULL);
    return rc;
}

int pdx_snippet_make(struct pdx_analyzer *a, const struct pdx_query *q, const char *text,
                     size_t len, const unsigned char *spans, size_t spans_len, size_t width,
                     struct pdx_snippet *out)
{
    struct scan s = {.q = q, .m = malloc(FIRST_MATCHES * sizeof *s.m), .cap = FIRST_MATCHES};
    if (!s.m)
        return -1;
    size_t scan_len = len;
    if (scan_len > SCAN_LIMIT) {
        scan_len = SCAN_LIMIT;
        while (scan_len > 0 && ((unsigned char)text[scan_len] & 0xC0) == 0x80)
            scan_len--;
    }
    /* A query of filters only (pillar:, date:, …) has no word to highlight: its passage
     * is the document's beginning, found without analysing the document (for long
     * legal texts that analysis was most of such a search's time). */
    int rc = pdx_query_word_count(q) > 0
                 ? analyze_for(a, q, text, scan_len, spans, spans_len, on_token, &s)
                 : 0;
    if (rc < 0 || s.nomem) {
        free(s.m);
        return -1;
    }

    size_t ws = 0;
    if (s.n > 0) {
        /* The passage shown starts `context` bytes before its anchor: the matches that
         * count are those it shows. */
        size_t context = width / 4;
        size_t anchor = best_anchor(s.m, s.n, pdx_query_word_count(q), width - context);
        ws = s.m[anchor].start > context ? s.m[anchor].start - context : 0;
        /* Start after a space so that no word is cut. */
        size_t k = ws;
        while (ws > 0 && k < s.m[anchor].start && !space_at(text, k, len))
            k++;
        if (ws > 0)
            ws = k < s.m[anchor].start ? k : s.m[anchor].start;
    }
    ws = char_boundary(text, ws, len);
    size_t we = ws + width < len ? ws + width : len;
    if (we < len) {
        size_t k = we;
        while (k > ws && !space_at(text, k, len))
            k--;
        we = k > ws ? k : char_boundary(text, we, len);
    }

    /* Copy, collapsing white space, and map the highlights into the copy. */
    char *buf = malloc((we - ws) + 2 * sizeof ELLIPSIS + 1);
    if (!buf) {
        free(s.m);
        return -1;
    }
    size_t o = 0, mi = 0;
    out->nhl = 0;
    while (mi < s.n && s.m[mi].start < ws)
        mi++;
    if (ws > 0) {
        memcpy(buf, ELLIPSIS, sizeof ELLIPSIS - 1);
        o = sizeof ELLIPSIS - 1;
    }
    int in_space = 1; /* drop leading white space */
    size_t i = ws;
    while (i < we) {
        if (mi < s.n && s.m[mi].start == i && s.m[mi].end <= we &&
            out->nhl < PDX_SNIPPET_MAX_HIGHLIGHTS) {
            size_t l = s.m[mi].end - s.m[mi].start;
            out->hl_start[out->nhl] = o;
            memcpy(buf + o, text + i, l);
            o += l;
            out->hl_end[out->nhl++] = o;
            i += l;
            mi++;
            in_space = 0;
            continue;
        }
        while (mi < s.n && s.m[mi].start < i)
            mi++;
        size_t sp = space_at(text, i, len);
        if (sp) {
            if (!in_space)
                buf[o++] = ' ';
            in_space = 1;
            i += sp;
            continue;
        }
        buf[o++] = text[i++];
        in_space = 0;
    }
    if (o > 0 && buf[o - 1] == ' ')
        o--;
    if (we < len) {
        memcpy(buf + o, ELLIPSIS, sizeof ELLIPSIS - 1);
        o += sizeof ELLIPSIS - 1;
    }
    buf[o] = '\0';
    out->text = buf;
    out->len = o;
    out->doc_start = ws;
    out->doc_end = we;
    free(s.m);
    return 0;
}

void pdx_snippet_free(struct pdx_snippet *s)
{
    if (!s)
        return;
    free(s->text);
    s->text = NULL;
    s->len = 0;
    s->nhl = 0;
}

struct each {
    const struct pdx_query *q;
    pdx_match_fn fn;
    void *ctx;
};

static int on_each_token(void *vctx, const struct pdx_token *tok)
{
    struct each *e = vctx;
    if (pdx_query_match_token(e->q, tok) < 0)
        return 0;
    return e->fn(e->ctx, tok->start, tok->end);
}

int pdx_snippet_each_match(struct pdx_analyzer *a, const struct pdx_query *q, const char *text,
                           size_t len, const unsigned char *spans, size_t spans_len,
                           pdx_match_fn fn, void *ctx)
{
    struct each e = {q, fn, ctx};
    if (pdx_query_word_count(q) == 0)
        return 0; /* filters only: nothing to find */
    return analyze_for(a, q, text, len, spans, spans_len, on_each_token, &e);
}
