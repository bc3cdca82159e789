/*
 * extract_common.c — the extractor object and what the three extractors share.
 */
#include "extract_common.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MATCH_LIMIT 200000UL
#define DEFAULT_DEPTH_LIMIT 2000UL
#define DEFAULT_HEAP_LIMIT_KIB 8192UL
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (512 * 1024)
#define POOL_CHUNK 8192
#define POOL_MAX ((size_t)256 << 20)

void pdx_errf(char *errbuf, size_t errbuf_len, const char *fmt, ...)
{
    va_list ap;
    if (!errbuf || errbuf_len == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errbuf_len, fmt, ap);
    va_end(ap);
}

/* ---- PCRE2 ------------------------------------------------------------------------ */

pcre2_code *pdx_re_compile(const char *pattern, uint32_t options, int jit, char *errbuf,
                           size_t errbuf_len)
{
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK | options, &errcode,
                                   &erroff, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        pdx_errf(errbuf, errbuf_len, "pattern error at offset %zu: %s", (size_t)erroff,
                 (const char *)msg);
        return NULL;
    }
    /* Without JIT support PCRE2 still interprets the pattern, only slower. */
    if (jit)
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

int pdx_re_match(struct pdx_extractor *ex, const pcre2_code *re, const char *text, size_t len,
                 size_t off, struct pdx_extraction *out)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)text, len, off, PCRE2_NO_UTF_CHECK, ex->md, ex->mctx);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT) {
        if (out->limit_errors++ == 0)
            out->first_limit_error = off;
        return -1;
    }
    return -2;
}

const size_t *pdx_re_ovector(const struct pdx_extractor *ex)
{
    return pcre2_get_ovector_pointer(ex->md);
}

const char *pdx_re_mark(const struct pdx_extractor *ex)
{
    PCRE2_SPTR m = pcre2_get_mark(ex->md);
    return m ? (const char *)m : "";
}

int pdx_re_group(const struct pdx_extractor *ex, const pcre2_code *re, const char *name,
                 size_t *start, size_t *end)
{
    PCRE2_SPTR first, last;
    int size = pcre2_substring_nametable_scan(re, (PCRE2_SPTR)name, &first, &last);
    const size_t *ov = pdx_re_ovector(ex);
    uint32_t count = pcre2_get_ovector_count(ex->md);
    if (size <= 0)
        return 0;
    /* With duplicate names, the first set group of that name wins. */
    for (PCRE2_SPTR e = first; e <= last; e += size) {
        unsigned n = ((unsigned)e[0] << 8) | e[1];
        if (n < count && ov[2 * n] != PCRE2_UNSET) {
            *start = ov[2 * n];
            *end = ov[2 * n + 1];
            return 1;
        }
    }
    return 0;
}

/* ---- UTF-8, words, folding --------------------------------------------------------- */

uint32_t pdx_utf8_at(const char *text, size_t len, size_t i, size_t *next)
{
    const unsigned char *s = (const unsigned char *)text;
    unsigned c = s[i];
    if (c < 0x80 || i + 1 >= len) {
        *next = i + 1;
        return c;
    }
    if (c < 0xE0) {
        *next = i + 2;
        return ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
    }
    if (c < 0xF0) {
        if (i + 2 >= len) {
            *next = len;
            return 0xFFFD;
        }
        *next = i + 3;
        return ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
    }
    if (i + 3 >= len) {
        *next = len;
        return 0xFFFD;
    }
    *next = i + 4;
    return ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
}

int pdx_is_word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA; /* ª µ º */
    if (cp == 0xD7 || cp == 0xF7)
        return 0;
    if (cp >= 0x2000 && cp <= 0x2BFF) /* punctuation, arrows, symbols */
        return 0;
    if (cp >= 0x3000 && cp <= 0x303F)
        return 0;
    return cp != 0xFEFF && cp != 0xFFFD;
}

int pdx_is_upper_cp(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    if (cp >= 0xC0 && cp <= 0xDE)
        return cp != 0xD7;
    if (cp >= 0x100 && cp <= 0x17F)
        return (cp & 1) == 0 && cp != 0x138; /* Latin Extended-A alternates upper/lower */
    return 0;
}

int pdx_next_word(const char *text, size_t len, size_t *pos, size_t *ws, size_t *we)
{
    size_t i = *pos, next;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
                break;
            i++;
            continue;
        }
        if (pdx_is_word_cp(pdx_utf8_at(text, len, i, &next)))
            break;
        i = next;
    }
    if (i >= len) {
        *pos = len;
        return 0;
    }
    *ws = i;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
                i++;
                continue;
            }
            break;
        }
        if (!pdx_is_word_cp(pdx_utf8_at(text, len, i, &next)))
            break;
        i = next;
    }
    *we = i;
    *pos = i;
    return 1;
}

/* Steps back over one UTF-8 character. */
static size_t utf8_back(const char *text, size_t i)
{
    do {
        i--;
    } while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80);
    return i;
}

int pdx_prev_word(const char *text, size_t pos, size_t *ws, size_t *we)
{
    size_t i = pos, next;
    /* skip spaces and apostrophes (l’, d’ …) */
    while (i > 0) {
        size_t p = utf8_back(text, i);
        uint32_t cp = pdx_utf8_at(text, pos, p, &next);
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x202F ||
            cp == '\'' || cp == 0x2019) {
            i = p;
            continue;
        }
        break;
    }
    *we = i;
    while (i > 0) {
        size_t p = utf8_back(text, i);
        if (!pdx_is_word_cp(pdx_utf8_at(text, pos, p, &next)))
            break;
        i = p;
    }
    *ws = i;
    return *we > *ws;
}

/* Folds one code point; returns the number of ASCII bytes written into o (0..2). */
static int fold_cp(uint32_t cp, char *o)
{
    static const char latin1[64] = "aaaaaaaceeeeiiiidnooooo_ouuuuyts"
                                   "aaaaaaaceeeeiiiidnooooo_ouuuuyty";
    if (cp < 0x80) {
        o[0] = (char)((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp);
        return 1;
    }
    if (cp >= 0xC0 && cp <= 0xFF) {
        if (cp == 0xC6 || cp == 0xE6) {
            o[0] = 'a';
            o[1] = 'e';
            return 2;
        }
        if (cp == 0xDF) {
            o[0] = 's';
            o[1] = 's';
            return 2;
        }
        o[0] = latin1[cp - 0xC0];
        return 1;
    }
    if (cp == 0x152 || cp == 0x153) {
        o[0] = 'o';
        o[1] = 'e';
        return 2;
    }
    if (cp == 0x1D49) { /* superscript e of 1ᵉʳ */
        o[0] = 'e';
        return 1;
    }
    if (cp == 0x2B3) {
        o[0] = 'r';
        return 1;
    }
    o[0] = pdx_is_word_cp(cp) ? '_' : ' ';
    return 1;
}

size_t pdx_extract_fold(const char *text, size_t s, size_t e, char *out, size_t out_len)
{
    size_t n = 0, i = s, next;
    assert(out_len > 0);
    while (i < e && n + 1 < out_len) {
        char o[2];
        int k = fold_cp(pdx_utf8_at(text, e, i, &next), o);
        for (int j = 0; j < k && n + 1 < out_len; j++)
            out[n++] = o[j];
        i = next;
    }
    out[n] = '\0';
    return n;
}

int pdx_word_is(const char *text, size_t ws, size_t we, const char *lit)
{
    char buf[64];
    if (we - ws >= sizeof buf)
        return 0;
    pdx_extract_fold(text, ws, we, buf, sizeof buf);
    return strcmp(buf, lit) == 0;
}

int pdx_word_in(const char *text, size_t ws, size_t we, const char *const *list)
{
    char buf[64];
    if (we - ws >= sizeof buf)
        return 0;
    pdx_extract_fold(text, ws, we, buf, sizeof buf);
    for (; *list; list++)
        if (strcmp(buf, *list) == 0)
            return 1;
    return 0;
}

static uint64_t word_hash(const char *w, size_t len, int prefix)
{
    uint64_t h = 1469598103934665603ULL ^ (prefix ? 0x9e3779b97f4a7c15ULL : 0);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)w[i];
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

static int keyset_put(struct pdx_keyset *ks, uint64_t key, unsigned flag)
{
    if ((ks->count + 1) * 2 > ks->cap) {
        size_t ncap = ks->cap ? ks->cap * 2 : 512;
        uint64_t *nk = calloc(ncap, sizeof *nk);
        uint8_t *nf = calloc(ncap, sizeof *nf);
        if (!nk || !nf) {
            free(nk);
            free(nf);
            return -1;
        }
        for (size_t i = 0; i < ks->cap; i++) {
            if (!ks->keys[i])
                continue;
            size_t j = ks->keys[i] & (ncap - 1);
            while (nk[j])
                j = (j + 1) & (ncap - 1);
            nk[j] = ks->keys[i];
            nf[j] = ks->flags[i];
        }
        free(ks->keys);
        free(ks->flags);
        ks->keys = nk;
        ks->flags = nf;
        ks->cap = ncap;
    }
    size_t j = key & (ks->cap - 1);
    while (ks->keys[j] && ks->keys[j] != key)
        j = (j + 1) & (ks->cap - 1);
    if (!ks->keys[j]) {
        ks->keys[j] = key;
        ks->count++;
    }
    ks->flags[j] |= (uint8_t)flag;
    return 0;
}

static unsigned keyset_get(const struct pdx_keyset *ks, uint64_t key)
{
    if (!ks->cap)
        return 0;
    size_t j = key & (ks->cap - 1);
    while (ks->keys[j]) {
        if (ks->keys[j] == key)
            return ks->flags[j];
        j = (j + 1) & (ks->cap - 1);
    }
    return 0;
}

int pdx_keyset_add(struct pdx_keyset *ks, const char *w, size_t len, int prefix, unsigned flag)
{
    if (len == 0)
        return 0;
    if (prefix) {
        if (len > 31)
            len = 31;
        ks->prefix_lens |= 1u << len;
    }
    return keyset_put(ks, word_hash(w, len, prefix), flag);
}

unsigned pdx_keyset_lookup(const struct pdx_keyset *ks, const char *text, size_t ws, size_t we)
{
    char buf[40];
    size_t n = 0;
    /* fast path: ASCII */
    for (size_t i = ws; i < we && n + 1 < sizeof buf; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x80) {
            n = pdx_extract_fold(text, ws, we, buf, sizeof buf);
            break;
        }
        buf[n++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    /* One pass computes the exact hash and, at each registered prefix length, the
     * prefix hash (the same FNV-1a as word_hash, with the prefix seed). */
    uint64_t h = 1469598103934665603ULL;
    uint64_t hp = 1469598103934665603ULL ^ 0x9e3779b97f4a7c15ULL;
    unsigned flags = 0;
    uint32_t lens = ks->prefix_lens;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        h = (h ^ c) * 1099511628211ULL;
        hp = (hp ^ c) * 1099511628211ULL;
        if (i + 1 < 32 && (lens & (1u << (i + 1))))
            flags |= keyset_get(ks, hp ? hp : 1);
    }
    flags |= keyset_get(ks, h ? h : 1);
    return flags;
}

/* ---- string pool, slugs, result arrays --------------------------------------------- */

struct pdx_str_pool {
    struct pdx_str_pool *next;
    size_t used, cap, total;
    char data[];
};

const char *pdx_pool_strndup(struct pdx_str_pool **pool, const char *s, size_t len)
{
    struct pdx_str_pool *p = *pool;
    if (!p || p->cap - p->used < len + 1) {
        size_t total = p ? p->total : 0;
        size_t cap = len + 1 > POOL_CHUNK ? len + 1 : POOL_CHUNK;
        if (total + cap > POOL_MAX)
            return NULL;
        struct pdx_str_pool *n = malloc(sizeof *n + cap);
        if (!n)
            return NULL;
        n->next = p;
        n->used = 0;
        n->cap = cap;
        n->total = total + cap;
        *pool = p = n;
    }
    char *d = p->data + p->used;
    memcpy(d, s, len);
    d[len] = '\0';
    p->used += len + 1;
    return d;
}

void pdx_pool_free(struct pdx_str_pool *pool)
{
    while (pool) {
        struct pdx_str_pool *n = pool->next;
        free(pool);
        pool = n;
    }
}

size_t pdx_slug(const char *text, size_t s, size_t e, char *out, size_t out_len)
{
    static const char *const skip[] = {"le",  "la",   "les", "l",   "de",   "du",  "des",
                                       "d",   "et",   "en",  "a",   "au",   "aux", "un",
                                       "une", "pour", "sur", "par", "dans", NULL};
    size_t n = 0, pos = s, ws, we;
    assert(out_len > 0);
    while (pdx_next_word(text, e, &pos, &ws, &we)) {
        char w[64];
        size_t wl = pdx_extract_fold(text, ws, we, w, sizeof w);
        int skipped = 0;
        for (const char *const *k = skip; *k; k++)
            if (strcmp(w, *k) == 0)
                skipped = 1;
        if (skipped)
            continue;
        /* A dash only before a word that brings letters or digits: a word of other
         * characters alone (« Ġ ») must not leave "a--b" behind. */
        size_t mark = n;
        if (n > 0 && n + 1 < out_len)
            out[n++] = '-';
        size_t before = n;
        for (size_t i = 0; i < wl && n + 1 < out_len; i++)
            if ((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9'))
                out[n++] = w[i];
        if (n == before)
            n = mark;
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    return n;
}

int pdx_grow(void **arr, size_t *cap, size_t count, size_t size, size_t max)
{
    if (count < *cap)
        return 0;
    if (count >= max)
        return 1;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *n = realloc(*arr, ncap * size);
    if (!n)
        return -1;
    *arr = n;
    *cap = ncap;
    return 0;
}

int pdx_push_date(struct pdx_extraction *out, const struct pdx_date_mention *m)
{
    int r = pdx_grow((void **)&out->dates, &out->cap_dates, out->n_dates, sizeof *m,
                     PDX_EXTRACT_MAX_MENTIONS);
    if (r)
        return r < 0 ? -1 : (out->truncated = 1, 0);
    out->dates[out->n_dates++] = *m;
    return 0;
}

int pdx_push_institution(struct pdx_extraction *out, const struct pdx_institution_mention *m)
{
    int r = pdx_grow((void **)&out->institutions, &out->cap_institutions, out->n_institutions,
                     sizeof *m, PDX_EXTRACT_MAX_MENTIONS);
    if (r)
        return r < 0 ? -1 : (out->truncated = 1, 0);
    out->institutions[out->n_institutions++] = *m;
    return 0;
}

int pdx_push_pillar(struct pdx_extraction *out, const struct pdx_pillar_mention *m)
{
    int r = pdx_grow((void **)&out->pillars, &out->cap_pillars, out->n_pillars, sizeof *m,
                     PDX_EXTRACT_MAX_MENTIONS);
    if (r)
        return r < 0 ? -1 : (out->truncated = 1, 0);
    out->pillars[out->n_pillars++] = *m;
    return 0;
}

/* ---- calendar ------------------------------------------------------------------------ */

int pdx_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return days[month - 1];
}

int pdx_weekday(int year, int month, int day)
{
    /* Sakamoto's method gives 0 = Sunday; shift to 0 = Monday. */
    static const int t[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    int y = month < 3 ? year - 1 : year;
    int w = (y + y / 4 - y / 100 + y / 400 + t[month - 1] + day) % 7;
    return (w + 6) % 7;
}

void pdx_ymd_add_days(struct pdx_ymd *d, int days)
{
    while (days > 0) {
        if (++d->day > pdx_days_in_month(d->year, d->month)) {
            d->day = 1;
            if (++d->month > 12) {
                d->month = 1;
                d->year++;
            }
        }
        days--;
    }
    while (days < 0) {
        if (--d->day < 1) {
            if (--d->month < 1) {
                d->month = 12;
                d->year--;
            }
            d->day = pdx_days_in_month(d->year, d->month);
        }
        days++;
    }
}

int pdx_ymd_parse(const char *s, struct pdx_ymd *out)
{
    int v[3] = {0, 0, 0};
    static const int width[3] = {4, 2, 2};
    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < width[f]; i++, s++) {
            if (*s < '0' || *s > '9')
                return -1;
            v[f] = v[f] * 10 + (*s - '0');
        }
        if (f < 2 && *s++ != '-')
            return -1;
    }
    if (*s != '\0' || v[0] < 1000 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
        v[2] > pdx_days_in_month(v[0], v[1]))
        return -1;
    out->year = v[0];
    out->month = v[1];
    out->day = v[2];
    return 0;
}

/* ---- data files ------------------------------------------------------------------------ */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t pdx_split_fields(const char *line, size_t len, char sep, const char **fields, size_t *lens,
                        size_t max)
{
    size_t n = 0, i = 0;
    while (n < max) {
        size_t s = i;
        while (i < len && line[i] != sep)
            i++;
        size_t e = i;
        while (s < e && is_space(line[s]))
            s++;
        while (e > s && is_space(line[e - 1]))
            e--;
        fields[n] = line + s;
        lens[n] = e - s;
        n++;
        if (i >= len)
            break;
        i++;
    }
    return n;
}

static int append(char *buf, size_t cap, size_t *used, const char *s, size_t n)
{
    if (*used + n + 1 > cap)
        return -1;
    memcpy(buf + *used, s, n);
    *used += n;
    buf[*used] = '\0';
    return 0;
}

static int appends(char *buf, size_t cap, size_t *used, const char *s)
{
    return append(buf, cap, used, s, strlen(s));
}

/* The class for one folded ASCII letter: accents and case do not matter. */
static const char *letter_class(char c)
{
    switch (c) {
    case 'a':
        return "[aàâäáã]";
    case 'e':
        return "[eéèêë]";
    case 'i':
        return "[iîïí]";
    case 'o':
        return "[oôöó]";
    case 'u':
        return "[uùûüú]";
    case 'c':
        return "[cç]";
    case 'n':
        return "[nñ]";
    case 'y':
        return "[yÿ]";
    default:
        return NULL;
    }
}

/* Appends one word of a phrase (no separators inside). */
static int word_to_regex(const char *w, size_t n, char *buf, size_t cap, size_t *used)
{
    int star = n > 0 && w[n - 1] == '*';
    if (star)
        n--;
    size_t letters = 0, upper = 0, next;
    for (size_t i = 0; i < n; i = next) {
        uint32_t cp = pdx_utf8_at(w, n, i, &next);
        if (pdx_is_word_cp(cp) && !(cp >= '0' && cp <= '9')) {
            letters++;
            upper += pdx_is_upper_cp(cp) != 0;
        }
    }
    int acronym = letters >= 2 && upper == letters;
    if (acronym && appends(buf, cap, used, "(?-i:"))
        return -1;
    for (size_t i = 0; i < n; i = next) {
        uint32_t cp = pdx_utf8_at(w, n, i, &next);
        char f[2];
        int k = fold_cp(cp, f);
        if (acronym || !pdx_is_word_cp(cp) || f[0] == '_') {
            if (cp < 0x80 && !pdx_is_word_cp(cp) && appends(buf, cap, used, "\\"))
                return -1;
            if (append(buf, cap, used, w + i, next - i))
                return -1;
            continue;
        }
        if (k == 2 && f[0] == 'o' && f[1] == 'e') {
            if (appends(buf, cap, used, "(?:oe|œ)"))
                return -1;
            continue;
        }
        for (int j = 0; j < k; j++) {
            const char *cls = letter_class(f[j]);
            if (cls ? appends(buf, cap, used, cls) : append(buf, cap, used, &f[j], 1))
                return -1;
        }
    }
    if (acronym && appends(buf, cap, used, ")"))
        return -1;
    if (star && appends(buf, cap, used, "[\\p{L}\\p{N}]*"))
        return -1;
    return 0;
}

#define SEP_RE "[\\s'’\\-‐–«»\",“”]+"

int pdx_phrase_to_regex(const char *phrase, size_t len, char *buf, size_t cap, size_t *used)
{
    size_t i = 0, words = 0, next;
    int pending_gap = 0;
    while (i < len) {
        /* skip separators */
        while (i < len) {
            uint32_t cp = pdx_utf8_at(phrase, len, i, &next);
            if (pdx_is_word_cp(cp) || cp == '*' || cp == '/' || cp == '.' || cp == '&' || cp == '+')
                break;
            i = next;
        }
        if (i >= len)
            break;
        size_t s = i;
        while (i < len) {
            uint32_t cp = pdx_utf8_at(phrase, len, i, &next);
            if (!(pdx_is_word_cp(cp) || cp == '*' || cp == '/' || cp == '.' || cp == '&' ||
                  cp == '+'))
                break;
            i = next;
        }
        if (i - s == 2 && phrase[s] == '.' && phrase[s + 1] == '.') {
            pending_gap = words > 0;
            continue;
        }
        if (words > 0) {
            if (appends(buf, cap, used, SEP_RE))
                return -1;
            if (pending_gap && appends(buf, cap, used, "(?:[\\p{L}\\p{N}]+" SEP_RE "){0,4}?"))
                return -1;
        }
        pending_gap = 0;
        /* alternatives a/b */
        int alts = memchr(phrase + s, '/', i - s) != NULL;
        if (alts && appends(buf, cap, used, "(?:"))
            return -1;
        size_t a = s;
        while (a <= i) {
            size_t b = a;
            while (b < i && phrase[b] != '/')
                b++;
            if (b > a && word_to_regex(phrase + a, b - a, buf, cap, used))
                return -1;
            if (b < i && appends(buf, cap, used, "|"))
                return -1;
            a = b + 1;
        }
        if (alts && appends(buf, cap, used, ")"))
            return -1;
        words++;
    }
    if (words == 0)
        return -1;
    return appends(buf, cap, used, "(?![\\p{L}\\p{N}])");
}

#define PHRASE_RE_MAX 4096

int pdx_phrases_add(struct pdx_phrases *ps, struct pdx_keyset *ks, unsigned keyflag,
                    const char *phrase, size_t len, unsigned idx)
{
    char buf[PHRASE_RE_MAX];
    size_t used = 0;
    buf[0] = '\0';
    if (pdx_phrase_to_regex(phrase, len, buf, sizeof buf, &used) != 0)
        return -2;
    if (pdx_grow((void **)&ps->items, &ps->cap, ps->n, sizeof *ps->items, SIZE_MAX) != 0)
        return -1;
    char *re = malloc(used + 1);
    if (!re)
        return -1;
    memcpy(re, buf, used + 1);
    ps->items[ps->n].re = re;
    ps->items[ps->n].weight = len;
    ps->items[ps->n].idx = idx;
    ps->items[ps->n].buckets = 0;
    ps->n++;
    /* the key of each alternative of the first word */
    size_t i = 0, next;
    while (i < len && !pdx_is_word_cp(pdx_utf8_at(phrase, len, i, &next)))
        i = next;
    size_t s = i;
    while (i < len) {
        uint32_t cp = pdx_utf8_at(phrase, len, i, &next);
        if (!pdx_is_word_cp(cp) && cp != '/' && cp != '*')
            break;
        i = next;
    }
    size_t a = s;
    while (a < i) {
        size_t b = a;
        while (b < i && phrase[b] != '/' && phrase[b] != '*')
            b++;
        char f[64];
        size_t fl = pdx_extract_fold(phrase, a, b, f, sizeof f);
        if (fl && pdx_keyset_add(ks, f, fl, b < i && phrase[b] == '*', keyflag))
            return -1;
        if (fl)
            ps->items[ps->n - 1].buckets |=
                1u << ((f[0] >= 'a' && f[0] <= 'z') ? (unsigned)(f[0] - 'a') : 26u);
        while (b < i && phrase[b] != '/')
            b++;
        a = b + 1;
    }
    return 0;
}

static int phrase_cmp(const void *a, const void *b)
{
    const struct pdx_phrase *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? 1 : -1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

unsigned pdx_bucket_of(const char *text, size_t len, size_t ws)
{
    char f[4];
    size_t next;
    pdx_utf8_at(text, len, ws, &next);
    pdx_extract_fold(text, ws, next, f, sizeof f);
    return (f[0] >= 'a' && f[0] <= 'z') ? (unsigned)(f[0] - 'a') : 26u;
}

/* Compiles items[from, to) of bucket b (those whose first word may start with b's
 * letter) into one alternation. */
static pcre2_code *compile_chunk(const struct pdx_phrases *ps, unsigned b, size_t from, size_t to,
                                 char *errbuf, size_t errbuf_len)
{
    size_t total = 16;
    for (size_t i = from; i < to; i++)
        if (ps->items[i].buckets & (1u << b))
            total += strlen(ps->items[i].re) + 24;
    char *pat = malloc(total);
    if (!pat) {
        pdx_errf(errbuf, errbuf_len, "out of memory");
        return NULL;
    }
    size_t used = (size_t)snprintf(pat, total, "(?i)(?:");
    int count = 0;
    for (size_t i = from; i < to; i++)
        if (ps->items[i].buckets & (1u << b))
            used += (size_t)snprintf(pat + used, total - used, "%s%s(*MARK:%u)", count++ ? "|" : "",
                                     ps->items[i].re, ps->items[i].idx);
    snprintf(pat + used, total - used, ")");
    pcre2_code *re = pdx_re_compile(pat, PCRE2_ANCHORED, 0, errbuf, errbuf_len);
    free(pat);
    return re;
}

int pdx_phrases_compile(const struct pdx_phrases *ps, struct pdx_phrase_re *re, char *errbuf,
                        size_t errbuf_len)
{
    qsort(ps->items, ps->n, sizeof *ps->items, phrase_cmp);
    for (unsigned b = 0; b < PDX_BUCKETS; b++)
        memset(&re[b], 0, sizeof re[b]);
    for (unsigned b = 0; b < PDX_BUCKETS; b++) {
        size_t from = 0, size = 0, cap = 0;
        for (size_t i = 0; i <= ps->n; i++) {
            int in_b = i < ps->n && (ps->items[i].buckets & (1u << b));
            size_t l = in_b ? strlen(ps->items[i].re) + 24 : 0;
            /* close the chunk when the next phrase would make it too large, or at the end */
            if ((i == ps->n && size > 0) || (in_b && size > 0 && size + l > PDX_CHUNK_SOURCE_MAX)) {
                if (re[b].n == cap) {
                    size_t ncap = cap ? cap * 2 : 2;
                    pcre2_code **nc = realloc(re[b].chunks, ncap * sizeof *nc);
                    if (!nc) {
                        pdx_errf(errbuf, errbuf_len, "out of memory");
                        return PDX_EXTRACT_ENOMEM;
                    }
                    re[b].chunks = nc;
                    cap = ncap;
                }
                pcre2_code *c = compile_chunk(ps, b, from, i, errbuf, errbuf_len);
                if (!c)
                    return errbuf && strstr(errbuf, "out of memory") ? PDX_EXTRACT_ENOMEM
                                                                     : PDX_EXTRACT_EPCRE;
                re[b].chunks[re[b].n++] = c;
                from = i;
                size = 0;
            }
            size += l;
        }
    }
    return 0;
}

int pdx_phrases_match(struct pdx_extractor *ex, struct pdx_phrase_re *pr, const char *text,
                      size_t len, size_t off, struct pdx_extraction *out, size_t *end, long *idx)
{
    int found = 0;
    if (pr->n == 0)
        return 0;
    if (pr->uses < PDX_JIT_AFTER && ++pr->uses == PDX_JIT_AFTER)
        for (size_t k = 0; k < pr->n; k++)
            (void)pcre2_jit_compile(pr->chunks[k], PCRE2_JIT_COMPLETE);
    for (size_t k = 0; k < pr->n; k++) {
        if (pdx_re_match(ex, pr->chunks[k], text, len, off, out) != 1)
            continue;
        size_t e = pdx_re_ovector(ex)[1];
        if (!found || e > *end) {
            *end = e;
            *idx = strtol(pdx_re_mark(ex), NULL, 10);
            found = 1;
        }
    }
    return found;
}

void pdx_phrase_re_free(struct pdx_phrase_re *re)
{
    for (unsigned b = 0; b < PDX_BUCKETS; b++) {
        for (size_t k = 0; k < re[b].n; k++)
            pcre2_code_free(re[b].chunks[k]);
        free(re[b].chunks);
        memset(&re[b], 0, sizeof re[b]);
    }
}

void pdx_phrases_free(struct pdx_phrases *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->items[i].re);
    free(ps->items);
    memset(ps, 0, sizeof *ps);
}

int pdx_data_lines(const char *data, size_t len,
                   int (*fn)(void *ctx, const char *line, size_t n, size_t lineno), void *ctx)
{
    size_t i = 0, lineno = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        lineno++;
        size_t s = i;
        while (s < e && is_space(data[s]))
            s++;
        size_t t = e;
        while (t > s && is_space(data[t - 1]))
            t--;
        if (t > s && data[s] != '#') {
            int r = fn(ctx, data + s, t - s, lineno);
            if (r)
                return r;
        }
        i = e + 1;
    }
    return 0;
}

/* ---- the extractor ---------------------------------------------------------------------- */

struct pdx_extractor *pdx_extractor_new(const struct pdx_extractor_options *opts, int *status,
                                        char *errbuf, size_t errbuf_len)
{
    struct pdx_extractor_options none = {0};
    int st = PDX_EXTRACT_ENOMEM;
    if (!opts)
        opts = &none;
    if (errbuf && errbuf_len)
        errbuf[0] = '\0';
    struct pdx_extractor *ex = calloc(1, sizeof *ex);
    if (!ex)
        goto fail;
    ex->mctx = pcre2_match_context_create(NULL);
    ex->jit_stack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
    ex->md = pcre2_match_data_create(PDX_MATCH_PAIRS, NULL);
    if (!ex->mctx || !ex->jit_stack || !ex->md)
        goto fail;
    pcre2_set_match_limit(ex->mctx, opts->match_limit ? (uint32_t)opts->match_limit
                                                      : (uint32_t)DEFAULT_MATCH_LIMIT);
    pcre2_set_depth_limit(ex->mctx, opts->depth_limit ? (uint32_t)opts->depth_limit
                                                      : (uint32_t)DEFAULT_DEPTH_LIMIT);
    pcre2_set_heap_limit(ex->mctx, opts->heap_limit_kib ? (uint32_t)opts->heap_limit_kib
                                                        : (uint32_t)DEFAULT_HEAP_LIMIT_KIB);
    pcre2_jit_stack_assign(ex->mctx, NULL, ex->jit_stack);
    /* A search resolving « institution:OMS » needs neither the dates' patterns nor, often,
     * any (compiling them all takes about 12 ms; the dates' alone 4 ms). */
    ex->kinds = opts->kinds ? opts->kinds : PDX_EXTRACT_ALL;
    if (((ex->kinds & PDX_EXTRACT_DATES) && (st = pdx_dates_init(ex, errbuf, errbuf_len)) != 0) ||
        ((ex->kinds & PDX_EXTRACT_INSTITUTIONS) &&
         (st = pdx_inst_init(ex, opts, errbuf, errbuf_len)) != 0) ||
        ((ex->kinds & PDX_EXTRACT_PILLARS) &&
         (st = pdx_pillars_init(ex, opts, errbuf, errbuf_len)) != 0))
        goto fail;
    if (status)
        *status = PDX_EXTRACT_OK;
    return ex;
fail:
    if (errbuf && errbuf_len && !errbuf[0])
        pdx_errf(errbuf, errbuf_len, "out of memory");
    if (status)
        *status = st ? st : PDX_EXTRACT_ENOMEM;
    pdx_extractor_free(ex);
    return NULL;
}

void pdx_extractor_free(struct pdx_extractor *ex)
{
    if (!ex)
        return;
    pdx_dates_free(ex->dates);
    pdx_inst_free(ex->inst);
    pdx_pillars_free(ex->pillars);
    free(ex->cands);
    free(ex->keys.keys);
    free(ex->keys.flags);
    pcre2_match_data_free(ex->md);
    pcre2_jit_stack_free(ex->jit_stack);
    pcre2_match_context_free(ex->mctx);
    free(ex);
}

/* Strict UTF-8 check (no overlongs, surrogates or code points past U+10FFFF). */
static int valid_utf8(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return 0;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* The pre-scan: every word some extractor may start a match at. */
static int scan_candidates(struct pdx_extractor *ex, const char *text, size_t len)
{
    size_t pos = 0, ws, we;
    ex->ncands = 0;
    while (pdx_next_word(text, len, &pos, &ws, &we)) {
        unsigned char c = (unsigned char)text[ws];
        unsigned flags;
        if (c >= '0' && c <= '9') {
            flags = PDX_KEY_DATE;
        } else {
            flags = pdx_keyset_lookup(&ex->keys, text, ws, we);
            if (c >= 'A' && c <= 'Z' && we - ws >= 2 && text[ws + 1] >= 'A' && text[ws + 1] <= 'Z')
                flags |= PDX_KEY_ACR;
        }
        if (!flags)
            continue;
        if (pdx_grow((void **)&ex->cands, &ex->capcands, ex->ncands, sizeof *ex->cands, SIZE_MAX) !=
            0)
            return -1;
        ex->cands[ex->ncands].ws = ws;
        ex->cands[ex->ncands].we = we;
        ex->cands[ex->ncands].flags = flags;
        ex->ncands++;
    }
    return 0;
}

int pdx_extract(struct pdx_extractor *ex, const char *text, size_t len, const struct pdx_ymd *ref,
                unsigned kinds, struct pdx_extraction *out)
{
    int rc = PDX_EXTRACT_OK;
    assert(ex && out && (text || len == 0));
    if (!valid_utf8(text, len))
        return PDX_EXTRACT_EINVAL;
    kinds &= ex->kinds;
    out->has_doc_date = pdx_find_doc_date(ex, text, len, &out->doc_date, NULL, NULL);
    if (ref) {
        out->ref_date = *ref;
        out->ref_source = PDX_REF_OPTION;
    } else if (out->has_doc_date) {
        out->ref_date = out->doc_date;
        out->ref_source = PDX_REF_DOCUMENT;
    } else {
        out->ref_source = PDX_REF_NONE;
    }
    if (scan_candidates(ex, text, len) != 0)
        return PDX_EXTRACT_ENOMEM;
    if ((kinds & PDX_EXTRACT_DATES) && (rc = pdx_dates_extract(ex, text, len, out)) != 0)
        return rc;
    if ((kinds & PDX_EXTRACT_INSTITUTIONS) && (rc = pdx_inst_extract(ex, text, len, out)) != 0)
        return rc;
    if ((kinds & PDX_EXTRACT_PILLARS) && (rc = pdx_pillars_extract(ex, text, len, out)) != 0)
        return rc;
    return rc;
}

void pdx_extraction_free(struct pdx_extraction *out)
{
    if (!out)
        return;
    free(out->dates);
    free(out->institutions);
    free(out->pillars);
    pdx_pool_free(out->pool);
    memset(out, 0, sizeof *out);
}

const char *pdx_timex_type_name(enum pdx_timex_type type)
{
    switch (type) {
    case PDX_TIMEX_DATE:
        return "DATE";
    case PDX_TIMEX_TIME:
        return "TIME";
    case PDX_TIMEX_DURATION:
        return "DURATION";
    case PDX_TIMEX_SET:
        return "SET";
    }
    return "DATE";
}

const char *pdx_ref_source_name(enum pdx_ref_source source)
{
    switch (source) {
    case PDX_REF_NONE:
        return "none";
    case PDX_REF_DOCUMENT:
        return "document";
    case PDX_REF_OPTION:
        return "option";
    }
    return "none";
}
