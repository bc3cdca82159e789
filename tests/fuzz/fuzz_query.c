/*
 * fuzz_query.c — bytes → pdx_query_parse → pdx_query_build, pdx_query_explain, and a
 * snippet of a fixed French passage for the query.
 *
 * Invariants: either a query, or an error with a non-empty one-line message and an
 * offset inside the query (≤ its length); the same for building; the explanation is
 * NUL-terminated inside its buffer; a snippet's passage lies inside the text, and its
 * highlights inside the passage, ordered and not overlapping; every token a query word
 * matches gets an index below the word count. Never a crash, a hang or a leak.
 */
#include "fuzz_common.h"

#include "pdx_analyzer.h"
#include "pdx_query.h"
#include "pdx_snippet.h"

/* A passage in the style of the corpus: elisions, a hyphenated acronym, accents. */
static const char passage[] =
    "Santé : le Kazakhstan conclut un partenariat avec l’OMS. L’Assistance publique – "
    "Hôpitaux de Paris (AP-HP) et l’Hôpital européen Georges-Pompidou mettent en œuvre "
    "une déclaration d’intention sur les soins de santé primaires d'ici à 2030.";

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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    analyzer();
    return 0;
}

static void check_error(const struct pdx_query_error *err, size_t size)
{
    size_t n = strnlen(err->message, sizeof err->message);
    FUZZ_CHECK(n > 0 && n < sizeof err->message);
    FUZZ_CHECK(strchr(err->message, '\n') == NULL ||
               (size_t)(strchr(err->message, '\n') - err->message) == n - 1);
    FUZZ_CHECK(err->offset <= size);
}

struct match_state {
    const struct pdx_query *q;
    size_t words;
};

static int on_token(void *ctx, const struct pdx_token *t)
{
    struct match_state *m = ctx;
    int w = pdx_query_match_token(m->q, t);
    FUZZ_CHECK(w >= -1 && (w < 0 || (size_t)w < m->words));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pdx_analyzer *a = analyzer();
    struct pdx_query_error err;
    memset(&err, 0xA5, sizeof err);
    struct pdx_query *q = pdx_query_parse(a, (const char *)data, size, &err);
    if (q == NULL) {
        check_error(&err, size);
        return 0;
    }

    struct xs_query *xq = NULL;
    memset(&err, 0xA5, sizeof err);
    if (pdx_query_build(q, &xq, &err) == 0)
        FUZZ_CHECK(xq != NULL);
    else
        check_error(&err, size);
    xs_query_free(xq);

    char buf[1024];
    memset(buf, 0xA5, sizeof buf);
    pdx_query_explain(q, buf, sizeof buf);
    FUZZ_CHECK(memchr(buf, '\0', sizeof buf) != NULL);

    struct match_state m = {q, pdx_query_word_count(q)};
    FUZZ_CHECK(pdx_analyze(a, passage, sizeof passage - 1, 1, on_token, &m) == 0);

    struct pdx_snippet s = {0};
    if (pdx_snippet_make(a, q, passage, sizeof passage - 1, NULL, 0, 80, &s) == 0) {
        FUZZ_CHECK(s.text != NULL && fuzz_utf8_valid(s.text, s.len));
        FUZZ_CHECK(s.doc_start <= s.doc_end && s.doc_end <= sizeof passage - 1);
        FUZZ_CHECK(s.nhl <= PDX_SNIPPET_MAX_HIGHLIGHTS);
        size_t prev = 0;
        for (size_t i = 0; i < s.nhl; i++) {
            FUZZ_CHECK(s.hl_start[i] >= prev && s.hl_start[i] < s.hl_end[i] &&
                       s.hl_end[i] <= s.len);
            prev = s.hl_end[i];
        }
    }
    pdx_snippet_free(&s);
    pdx_query_free(q);
    return 0;
}
