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
 */
#include "fuzz_common.h"

#include "pdx_analyzer.h"
#include "pdx_document.h"

struct state {
    const char *text;
    size_t len;
    size_t last_start, last_end; /* last word (non-JOINED) token */
    uint32_t last_pos;
    size_t n;
};

static struct pdx_analyzer *analyzer(void)
{
    static struct pdx_analyzer *a;
    if (a == NULL) {
        char why[256];
        a = pdx_analyzer_new(why, sizeof why);
        if (a == NULL) {
            fprintf(stderr, "pdx_analyzer_new: %s\n", why);
            abort();
        }
    }
    return a;
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
        st->n++;
    }
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    analyzer();
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
        struct state st = {text, len, 0, 0, 0, 0};
        FUZZ_CHECK(pdx_analyze(a, text, len, 1, on_token, &st) == 0);
    }
    pdx_document_free(&doc);
    return 0;
}
