/*
 * fuzz_analyzer.c — bytes → pdx_document_decode → pdx_analyze, plus pdx_fold, pdx_stem
 * and pdx_lower on the raw bytes when they are valid UTF-8.
 *
 * Invariants on the token stream: spans inside the text, non-empty, on character
 * boundaries; word tokens in text order without overlap and at strictly increasing
 * positions; a JOINED token ends where its last part ends, starts no later than that
 * part and takes a position already used by a part; folded forms and stems are
 * non-empty valid UTF-8 of at most PDX_TERM_MAX bytes, without ASCII capitals, white
 * space or control bytes; a number is its own stem.
 *
 * The span table (pdx_spans.h) of the word tokens, read back by pdx_analyze_spans, gives
 * the same tokens (spans, folded forms, stems, positions); and the input's own bytes read
 * as a span table of the text are refused or give tokens inside the text, on character
 * boundaries, in order.
 *
 * An analyzer that sends every text through ICU (pdx_analyzer_icu_only) gives the same
 * tokens, every field of them: the ICU-free word cutting and the Latin folding table
 * agree with ICU.
 */
#include "fuzz_common.h"

#include "pdx_analyzer.h"
#include "pdx_document.h"
#include "pdx_spans.h"

/* Word tokens remembered for the comparison with the span table (the rest unchecked). */
#define MAX_REMEMBERED 4096

struct seen_token {
    size_t start, end;
    uint32_t pos;
    uint64_t folded_hash, stem_hash;
};

static uint64_t hash_of(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    return h ^ n;
}

struct state {
    const char *text;
    size_t len;
    size_t last_start, last_end; /* last word (non-JOINED) token */
    uint32_t last_pos;
    size_t n;
    struct pdx_spans *spans; /* the word tokens' table, being written */
    struct seen_token *seen; /* the first MAX_REMEMBERED word tokens */
    int spans_failed;
};

static struct pdx_analyzer *new_analyzer(int icu_only)
{
    char why[256];
    struct pdx_analyzer *a = pdx_analyzer_new(why, sizeof why);
    if (a == NULL) {
        fprintf(stderr, "pdx_analyzer_new: %s\n", why);
        abort();
    }
    pdx_analyzer_icu_only(a, icu_only);
    return a;
}

static struct pdx_analyzer *analyzer(void)
{
    static struct pdx_analyzer *a;
    if (a == NULL)
        a = new_analyzer(0);
    return a;
}

static struct pdx_analyzer *icu_analyzer(void)
{
    static struct pdx_analyzer *a;
    if (a == NULL)
        a = new_analyzer(1);
    return a;
}

/* A digest of a whole token stream, every field of every token. */
struct digest {
    uint64_t h;
    size_t n;
};

static int on_digest(void *ctx, const struct pdx_token *t)
{
    struct digest *d = ctx;
    uint64_t fields[4] = {t->start, t->end, t->pos, t->flags};
    for (size_t i = 0; i < 4; i++)
        d->h = (d->h ^ fields[i]) * 0x100000001b3u;
    d->h = (d->h ^ hash_of(t->folded, t->folded_len)) * 0x100000001b3u;
    d->h = (d->h ^ hash_of(t->stem, t->stem_len)) * 0x100000001b3u;
    d->n++;
    return 0;
}

static int term_ok(const char *s, size_t n)
{
    if (n == 0 || n > PDX_TERM_MAX || !fuzz_utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7F || (c >= 'A' && c <= 'Z'))
            return 0;
    }
    return 1;
}

static int on_token(void *ctx, const struct pdx_token *t)
{
    struct state *st = ctx;
    FUZZ_CHECK(t->start < t->end && t->end <= st->len);
    FUZZ_CHECK(fuzz_on_boundary(st->text, st->len, t->start));
    FUZZ_CHECK(fuzz_on_boundary(st->text, st->len, t->end));
    FUZZ_CHECK(term_ok(t->folded, t->folded_len));
    FUZZ_CHECK(term_ok(t->stem, t->stem_len));
    if (t->flags & PDX_TOK_NUMBER)
        FUZZ_CHECK(t->stem_len == t->folded_len && memcmp(t->stem, t->folded, t->stem_len) == 0);
    if (t->flags & PDX_TOK_JOINED) {
        FUZZ_CHECK(st->n > 0);
        FUZZ_CHECK(t->end == st->last_end && t->start <= st->last_start);
        FUZZ_CHECK(t->pos >= 1 && t->pos <= st->last_pos);
    } else {
        FUZZ_CHECK(st->n == 0 || t->start >= st->last_end);
        FUZZ_CHECK(st->n == 0 ? t->pos == 1 : t->pos == st->last_pos + 1);
        st->last_start = t->start;
        st->last_end = t->end;
        st->last_pos = t->pos;
        if (st->seen && st->n < MAX_REMEMBERED)
            st->seen[st->n] =
                (struct seen_token){t->start, t->end, t->pos, hash_of(t->folded, t->folded_len),
                                    hash_of(t->stem, t->stem_len)};
        if (st->spans && pdx_spans_add(st->spans, t->start, t->end, t->flags) != 0)
            st->spans_failed = 1;
        st->n++;
    }
    return 0;
}

/* pdx_analyze_spans over the table of pdx_analyze's own tokens: the same tokens. */
struct replay {
    const struct state *want;
    size_t i;
};

static int on_replayed(void *ctx, const struct pdx_token *t)
{
    struct replay *r = ctx;
    FUZZ_CHECK(!(t->flags & PDX_TOK_JOINED));
    FUZZ_CHECK(r->i < r->want->n);
    if (r->i < MAX_REMEMBERED) {
        const struct seen_token *w = &r->want->seen[r->i];
        FUZZ_CHECK(t->start == w->start && t->end == w->end && t->pos == w->pos);
        FUZZ_CHECK(hash_of(t->folded, t->folded_len) == w->folded_hash);
        FUZZ_CHECK(hash_of(t->stem, t->stem_len) == w->stem_hash);
    }
    r->i++;
    return 0;
}

/* Any table: tokens inside the text, on character boundaries, in order. */
struct garbage {
    const char *text;
    size_t len, last_end;
    uint32_t next_pos;
};

static int on_any(void *ctx, const struct pdx_token *t)
{
    struct garbage *g = ctx;
    FUZZ_CHECK(t->start < t->end && t->end <= g->len && t->start >= g->last_end);
    FUZZ_CHECK(fuzz_on_boundary(g->text, g->len, t->start));
    FUZZ_CHECK(fuzz_on_boundary(g->text, g->len, t->end));
    FUZZ_CHECK(t->folded_len > 0 && t->folded_len <= PDX_TERM_MAX);
    FUZZ_CHECK(fuzz_utf8_valid(t->folded, t->folded_len));
    FUZZ_CHECK(t->pos == g->next_pos);
    g->last_end = t->end;
    g->next_pos++;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    analyzer();
    icu_analyzer();
    return 0;
}

static void check_word_functions(struct pdx_analyzer *a, const char *s, size_t n)
{
    char out[PDX_TERM_MAX + 1];
    int k = pdx_fold(a, s, n, out, sizeof out);
    FUZZ_CHECK(k >= -1 && k < (int)sizeof out);
    if (k >= 0) {
        FUZZ_CHECK(out[k] == '\0' && fuzz_utf8_valid(out, (size_t)k));
        char stem[2 * PDX_TERM_MAX + 8];
        int m = pdx_stem(a, out, (size_t)k, stem, sizeof stem);
        FUZZ_CHECK(m >= -1 && m < (int)sizeof stem);
        if (m >= 0)
            FUZZ_CHECK(stem[m] == '\0' && fuzz_utf8_valid(stem, (size_t)m));
    }
    k = pdx_lower(a, s, n, out, sizeof out);
    FUZZ_CHECK(k >= -1 && k < (int)sizeof out);
    if (k >= 0)
        FUZZ_CHECK(out[k] == '\0' && fuzz_utf8_valid(out, (size_t)k));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pdx_analyzer *a = analyzer();
    const char *raw = (const char *)data;
    int raw_valid = fuzz_utf8_valid(raw, size);
    if (raw_valid && size <= 4 * PDX_TERM_MAX)
        check_word_functions(a, raw, size);

    struct pdx_document doc = {0};
    const char *text = NULL;
    size_t len = 0;
    if (pdx_document_decode(raw, size, &doc, NULL) == PDX_DOC_OK) {
        text = doc.text;
        len = doc.len;
    } else if (raw_valid) {
        text = raw; /* binary-looking or blank, but still UTF-8: the analyzer must cope */
        len = size;
    }
    if (text != NULL) {
        static struct seen_token seen[MAX_REMEMBERED];
        struct pdx_spans spans = {0};
        struct state st = {text, len, 0, 0, 0, 0, &spans, seen, 0};
        FUZZ_CHECK(pdx_analyze(a, text, len, 1, on_token, &st) == 0);
        if (!st.spans_failed) {
            struct replay r = {&st, 0};
            FUZZ_CHECK(pdx_analyze_spans(a, text, len, spans.buf, spans.len, 1, on_replayed, &r) ==
                       0);
            FUZZ_CHECK(r.i == st.n);
        }
        pdx_spans_free(&spans);
        struct digest mine = {0xcbf29ce484222325u, 0}, icu = mine;
        FUZZ_CHECK(pdx_analyze(a, text, len, 1, on_digest, &mine) == 0);
        FUZZ_CHECK(pdx_analyze(icu_analyzer(), text, len, 1, on_digest, &icu) == 0);
        FUZZ_CHECK(mine.n == icu.n && mine.h == icu.h);
        struct garbage g = {text, len, 0, 1};
        int rc = pdx_analyze_spans(a, text, len, data, size, 1, on_any, &g);
        FUZZ_CHECK(rc == 0 || (rc == PDX_SPANS_MISFIT && g.next_pos == 1));
    }
    pdx_document_free(&doc);
    return 0;
}
