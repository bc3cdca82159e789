/*
 * shards.c — shard assignment and stub-file parsing (see pdx_shards.h).
 */
#include "pdx_shards.h"

#include <string.h>

uint32_t pdx_shard_of(const char *id, size_t len, uint32_t nshards)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)id[i]) * 1099511628211ULL;
    return nshards ? (uint32_t)(h % nshards) : 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int word_is(const char *w, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(w, lit, n) == 0;
}

/* Reads "HOST:PORT" (the host may be bracketed, [::1]:PORT). Returns 0 or -1. */
static int parse_remote(const char *s, size_t n, struct pdx_stub_entry *e)
{
    const char *colon = NULL;
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == ':') {
            colon = s + i - 1;
            break;
        }
    if (colon == NULL || colon == s || (size_t)(colon - s) + 1 == n)
        return -1;
    unsigned long port = 0;
    for (const char *p = colon + 1; p < s + n; p++) {
        if (*p < '0' || *p > '9' || port > 65535)
            return -1;
        port = port * 10 + (unsigned long)(*p - '0');
    }
    if (port == 0 || port > 65535)
        return -1;
    e->name = s;
    e->name_len = (size_t)(colon - s);
    if (e->name_len >= 2 && s[0] == '[' && colon[-1] == ']') {
        e->name++;
        e->name_len -= 2;
    }
    e->port = (unsigned)port;
    return 0;
}

int pdx_stub_parse(const char *text, size_t len, pdx_stub_fn fn, void *ctx, size_t *bad_line)
{
    size_t line_no = 0, at = 0;
    while (at < len) {
        const char *line = text + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t n = nl ? (size_t)(nl - line) : len - at;
        at += n + (nl != NULL);
        line_no++;
        size_t b = 0, e = n;
        while (b < e && is_space(line[b]))
            b++;
        while (e > b && is_space(line[e - 1]))
            e--;
        if (b == e || line[b] == '#')
            continue;
        size_t w = b;
        while (w < e && !is_space(line[w]))
            w++;
        size_t r = w;
        while (r < e && is_space(line[r]))
            r++;
        struct pdx_stub_entry entry = {.kind = PDX_STUB_LOCAL,
                                       .name = line + r,
                                       .name_len = e - r,
                                       .line = line + b,
                                       .line_len = e - b,
                                       .line_no = line_no};
        const char *type = line + b;
        size_t tlen = w - b;
        int ok;
        if (word_is(type, tlen, "auto") || word_is(type, tlen, "glass") ||
            word_is(type, tlen, "chert"))
            ok = r < e;
        else if (word_is(type, tlen, "inmemory"))
            ok = (entry.kind = PDX_STUB_OTHER, r == e);
        else if (word_is(type, tlen, "remote") && r < e && line[r] == ':')
            ok = (entry.kind = PDX_STUB_OTHER, r + 1 < e);
        else if (word_is(type, tlen, "remote"))
            ok = (entry.kind = PDX_STUB_REMOTE, parse_remote(line + r, e - r, &entry) == 0);
        else
            ok = 0;
        if (!ok) {
            if (bad_line)
                *bad_line = line_no;
            return -1;
        }
        int rc = fn(ctx, &entry);
        if (rc != 0)
            return rc;
    }
    return 0;
}
