/*
 * pdx_spans.h — a document's token spans, stored with it so that snippets need no word
 * breaking.
 *
 * Showing why a document matched means finding the query's words in its text. Doing
 * that by analysing the text again (ICU word breaking, folding) was most of a search's
 * own time. The indexer already knows where every token is: it stores, with the text,
 * the byte span of each token pdx_analyze reported, joined compounds left out (they are
 * never highlighted: their parts are), in text order. pdx_analyze_spans (pdx_analyzer.h)
 * then rebuilds the same tokens from the table with no word breaking at all.
 *
 * Encoding: for each token, the bytes from the end of the previous token (from 0 for the
 * first) to its start, then twice its length plus 1 if it is a number (PDX_TOK_NUMBER:
 * its stem is its folded form, which ICU's rule status decided and the folded form alone
 * cannot tell: « Ⅺ » folds to "xi" and is no letter), both as LEB128 varints (7 bits a
 * byte, low bits first). French prose comes to about two bytes a token, before the index
 * compresses it.
 */
#ifndef INDEXER_PDX_SPANS_H
#define INDEXER_PDX_SPANS_H

#include "pdx_analyzer.h"

#include <stddef.h>

/* A table being written. Zero-initialise; release with pdx_spans_free. */
struct pdx_spans {
    unsigned char *buf; /* owned */
    size_t len, cap;
    size_t last_end; /* end of the last span added */
};

/* Appends the span [start, end) (start at or after the previous span's end, end after
 * start) of a token with the flags `flags` (only PDX_TOK_NUMBER is kept). Returns 0, or
 * -1 when out of memory or when the span is out of order; the table is then unusable. */
int pdx_spans_add(struct pdx_spans *s, size_t start, size_t end, unsigned flags);

/* Frees the table's buffer (the struct itself is the caller's) and zeroes it. */
void pdx_spans_free(struct pdx_spans *s);

/* Reads a stored table: {table, its length in bytes} (NULL and 0 for an empty one). */
struct pdx_spans_reader {
    const unsigned char *p;
    size_t left; /* bytes of the table not read yet */
    size_t last_end;
};

/* Checks a decoded span (the gap from the previous one and twice its length plus the
 * number flag) against text_len and, when it fits, moves the reader past it: 1, else -1.
 * Shared by both decoders below. */
static inline int pdx_spans_place(struct pdx_spans_reader *r, size_t text_len, size_t gap,
                                  size_t len2, size_t *start, size_t *end, unsigned *flags)
{
    size_t len = len2 / 2, room = text_len - r->last_end;
    if (len == 0 || gap > room || len > room - gap)
        return -1;
    *flags = len2 & 1 ? PDX_TOK_NUMBER : 0;
    *start = r->last_end + gap;
    *end = *start + len;
    r->last_end = *end;
    return 1;
}

/* pdx_spans_next for any encoding; pdx_spans_next is what callers use. */
int pdx_spans_next_any(struct pdx_spans_reader *r, size_t text_len, size_t *start, size_t *end,
                       unsigned *flags);

/* Reads the next span into [*start, *end) and its flags (0 or PDX_TOK_NUMBER) into
 * *flags. Returns 1 for a span, 0 at the end of the table, -1 when the table is malformed
 * (truncated, overflowing, or a span that ends past `text_len`).
 *
 * Inline because snippets read every token of every document shown: in prose nearly
 * every gap and length fits one byte each, and that case costs a few instructions here
 * instead of two calls of a general varint decoder. */
static inline int pdx_spans_next(struct pdx_spans_reader *r, size_t text_len, size_t *start,
                                 size_t *end, unsigned *flags)
{
    if (r->left >= 2 && r->p[0] < 0x80 && r->p[1] < 0x80) {
        size_t gap = r->p[0], len2 = r->p[1];
        r->p += 2;
        r->left -= 2;
        return pdx_spans_place(r, text_len, gap, len2, start, end, flags);
    }
    return pdx_spans_next_any(r, text_len, start, end, flags);
}

#endif /* INDEXER_PDX_SPANS_H */
