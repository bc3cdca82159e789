/*
 * schema.c — the stored-data record of a document and the content hash.
 */
#include "pdx_schema.h"

#include "pdx_analyzer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_LEN (sizeof PDX_DOCDATA_MAGIC - 1)
_Static_assert(sizeof PDX_DOCDATA_MAGIC == sizeof PDX_DOCDATA_HEAD_MAGIC,
               "a head's magic is as long as a whole document's");

int pdx_docdata_encode(const struct pdx_docdata *d, char **out, size_t *out_len)
{
    /* The span table and the text go last, their lengths known, so they alone may hold
     * NUL bytes; the others may not. */
    if (memchr(d->path, '\0', d->path_len) || memchr(d->title, '\0', d->title_len) ||
        memchr(d->date, '\0', d->date_len))
        return -1;
    char spans_len[24] = "";
    if (d->spans != NULL)
        snprintf(spans_len, sizeof spans_len, "%zu", d->spans_len);
    size_t n = MAGIC_LEN + 1 + d->path_len + 1 + d->title_len + 1 + d->date_len + 1 +
               strlen(spans_len) + 1 + (d->spans ? d->spans_len : 0) + d->text_len;
    char *buf = malloc(n);
    if (!buf)
        return -1;
    char *p = buf;
    const struct {
        const char *s;
        size_t len;
    } fields[] = {{d->head ? PDX_DOCDATA_HEAD_MAGIC : PDX_DOCDATA_MAGIC, MAGIC_LEN},
                  {d->path, d->path_len},
                  {d->title, d->title_len},
                  {d->date, d->date_len},
                  {spans_len, strlen(spans_len)}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (fields[i].len)
            memcpy(p, fields[i].s, fields[i].len);
        p += fields[i].len;
        *p++ = '\0';
    }
    if (d->spans != NULL && d->spans_len) {
        memcpy(p, d->spans, d->spans_len);
        p += d->spans_len;
    }
    if (d->text_len)
        memcpy(p, d->text, d->text_len);
    *out = buf;
    *out_len = n;
    return 0;
}

struct pdx_docdata pdx_docdata_head(const struct pdx_docdata *d)
{
    struct pdx_docdata h = *d;
    h.head = 1;
    h.spans = NULL;
    h.spans_len = 0;
    if (h.text_len > PDX_DOCDATA_HEAD_TEXT) {
        h.text_len = PDX_DOCDATA_HEAD_TEXT;
        while (h.text_len > 0 && ((unsigned char)h.text[h.text_len] & 0xC0) == 0x80)
            h.text_len--;
    }
    return h;
}

/* Takes the NUL-terminated field at *p (within end) and moves past it. */
static int take_field(const char **p, const char *end, const char **s, size_t *len)
{
    const char *nul = memchr(*p, '\0', (size_t)(end - *p));
    if (!nul)
        return -1;
    *s = *p;
    *len = (size_t)(nul - *p);
    *p = nul + 1;
    return 0;
}

int pdx_docdata_decode(const char *data, size_t len, struct pdx_docdata *d)
{
    const char *p = data;
    const char *end = data + len;
    const char *magic;
    size_t magic_len;
    if (take_field(&p, end, &magic, &magic_len) != 0 || magic_len != MAGIC_LEN)
        return -1;
    if (memcmp(magic, PDX_DOCDATA_MAGIC, MAGIC_LEN) == 0)
        d->head = 0;
    else if (memcmp(magic, PDX_DOCDATA_HEAD_MAGIC, MAGIC_LEN) == 0)
        d->head = 1;
    else
        return -1;
    if (take_field(&p, end, &d->path, &d->path_len) != 0 ||
        take_field(&p, end, &d->title, &d->title_len) != 0 ||
        take_field(&p, end, &d->date, &d->date_len) != 0)
        return -1;
    const char *num;
    size_t num_len;
    if (take_field(&p, end, &num, &num_len) != 0 || num_len > 19 || (num_len > 1 && num[0] == '0'))
        return -1; /* written by pdx_docdata_encode: no leading zero */
    d->spans = NULL;
    d->spans_len = 0;
    if (num_len > 0) {
        size_t n = 0;
        for (size_t i = 0; i < num_len; i++) {
            if (num[i] < '0' || num[i] > '9')
                return -1;
            n = n * 10 + (size_t)(num[i] - '0');
        }
        if (n > (size_t)(end - p))
            return -1;
        d->spans = (const unsigned char *)p;
        d->spans_len = n;
        p += n;
    }
    d->text = p;
    d->text_len = (size_t)(end - p);
    return 0;
}

int pdx_check_versions(pdx_meta_fn get, void *ctx, int empty_ok, char *why, size_t why_len)
{
    static const struct {
        const char *key, *want, *what;
    } checks[] = {{PDX_META_SCHEMA, PDX_SCHEMA_VERSION, "schema"},
                  {PDX_META_ANALYZER, PDX_ANALYZER_VERSION, "analyzer"}};
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        const char *v;
        size_t len;
        if (get(ctx, checks[i].key, &v, &len) != 0)
            return -1;
        if (empty_ok && len == 0)
            continue;
        if (len != strlen(checks[i].want) || memcmp(v, checks[i].want, len) != 0) {
            snprintf(why, why_len, "built by %s version '%.*s', this is version %s", checks[i].what,
                     (int)(len < 40 ? len : 40), v, checks[i].want);
            return 1;
        }
    }
    return 0;
}

void pdx_content_hash(const char *bytes, size_t len, char out[17])
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)bytes[i];
        h *= 0x100000001b3u;
    }
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[h & 0xf];
        h >>= 4;
    }
    out[16] = '\0';
}
