/*
 * spans.c — writing and reading a document's token span table (see pdx_spans.h).
 */
#include "pdx_spans.h"

#include <stdint.h>
#include <stdlib.h>

/* A varint of a size_t takes at most this many bytes. */
#define VARINT_MAX 10

static size_t put_varint(unsigned char *out, size_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (unsigned char)v;
    return n;
}

int pdx_spans_add(struct pdx_spans *s, size_t start, size_t end, unsigned flags)
{
    if (start < s->last_end || end <= start || end - start > SIZE_MAX / 2)
        return -1;
    if (s->cap - s->len < 2 * VARINT_MAX) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        unsigned char *b = realloc(s->buf, cap);
        if (b == NULL)
            return -1;
        s->buf = b;
        s->cap = cap;
    }
    s->len += put_varint(s->buf + s->len, start - s->last_end);
    s->len += put_varint(s->buf + s->len, 2 * (end - start) + !!(flags & PDX_TOK_NUMBER));
    s->last_end = end;
    return 0;
}

void pdx_spans_free(struct pdx_spans *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = s->last_end = 0;
}

static int get_varint(struct pdx_spans_reader *r, size_t *v)
{
    size_t x = 0;
    for (unsigned shift = 0; r->left > 0; shift += 7) {
        unsigned char c = *r->p++;
        r->left--;
        if (shift >= 63 && (c & 0x7f) > 1)
            return -1; /* more than a size_t holds */
        x |= (size_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 0;
        }
        if (shift >= 63)
            return -1;
    }
    return -1;
}

int pdx_spans_next_any(struct pdx_spans_reader *r, size_t text_len, size_t *start, size_t *end,
                       unsigned *flags)
{
    if (r->left == 0)
        return 0;
    size_t gap, len2;
    if (get_varint(r, &gap) != 0 || get_varint(r, &len2) != 0)
        return -1;
    return pdx_spans_place(r, text_len, gap, len2, start, end, flags);
}
