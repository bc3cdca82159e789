/*
 * test_spans.c — the token span table (pdx_spans_*), pdx_analyze_spans and the stored
 * document data that carries the table.
 *
 * The promise checked here: from the table the indexer stores, pdx_analyze_spans gives
 * back exactly the tokens pdx_analyze gives (joined compounds left out), so snippets
 * built from it highlight what analysing the text again would. Texts: the seed documents
 * in corpus/, sentences written to hit every path of the analyzer (elisions, dotted
 * acronyms, compounds, glued numbers, scripts without spaces, lone marks) and random
 * mixes of those characters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdx_analyzer.h"
#include "pdx_schema.h"
#include "pdx_spans.h"

/* A token as received, its borrowed strings copied. */
struct tok {
    size_t start, end;
    uint32_t pos;
    unsigned stop;
    char folded[PDX_TERM_MAX + 1];
    char stem[2 * PDX_TERM_MAX + 1]; /* "" when not stemmed */
};

struct toks {
    struct tok *t;
    size_t n, cap;
    struct pdx_spans *spans; /* when set, the spans of what is collected are added */
};

static int collect(void *ctx, const struct pdx_token *tok)
{
    struct toks *c = ctx;
    if (tok->flags & PDX_TOK_JOINED)
        return 0;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        c->t = realloc(c->t, c->cap * sizeof *c->t);
        assert_non_null(c->t);
    }
    struct tok *t = &c->t[c->n++];
    t->start = tok->start;
    t->end = tok->end;
    t->pos = tok->pos;
    t->stop = tok->flags & PDX_TOK_STOPWORD;
    assert_true(tok->folded_len <= PDX_TERM_MAX);
    memcpy(t->folded, tok->folded, tok->folded_len);
    t->folded[tok->folded_len] = '\0';
    t->stem[0] = '\0';
    if (tok->stem) {
        assert_true(tok->stem_len < sizeof t->stem);
        memcpy(t->stem, tok->stem, tok->stem_len);
        t->stem[tok->stem_len] = '\0';
    }
    if (c->spans)
        assert_int_equal(pdx_spans_add(c->spans, tok->start, tok->end, tok->flags), 0);
    return 0;
}

static int setup(void **state)
{
    char err[256];
    struct pdx_analyzer *a = pdx_analyzer_new(err, sizeof err);
    if (a == NULL)
        return -1;
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    pdx_analyzer_free(*state);
    return 0;
}

/* Analyses text both ways (with the stem filter `first`, NULL for none) and compares. */
static void check_same(struct pdx_analyzer *a, const char *text, size_t len,
                       const unsigned char *first)
{
    struct pdx_spans spans = {0};
    struct toks want = {.spans = &spans}, got = {0};
    pdx_analyzer_stem_only(a, first);
    assert_int_equal(pdx_analyze(a, text, len, 1, collect, &want), 0);
    assert_int_equal(pdx_analyze_spans(a, text, len, spans.buf, spans.len, 1, collect, &got), 0);
    pdx_analyzer_stem_only(a, NULL);
    assert_int_equal(got.n, want.n);
    for (size_t i = 0; i < want.n; i++) {
        const struct tok *w = &want.t[i], *g = &got.t[i];
        if (g->start != w->start || g->end != w->end || strcmp(g->folded, w->folded) != 0 ||
            strcmp(g->stem, w->stem) != 0 || g->stop != w->stop || g->pos != w->pos)
            fail_msg("token %zu of \"%.*s\": [%zu,%zu) '%s'/'%s' pos %u stop %u, want "
                     "[%zu,%zu) '%s'/'%s' pos %u stop %u",
                     i, (int)(len < 200 ? len : 200), text, g->start, g->end, g->folded, g->stem,
                     g->pos, g->stop, w->start, w->end, w->folded, w->stem, w->pos, w->stop);
        /* The tokens snippets see are positioned one after the other. */
        assert_int_equal(w->pos, (uint32_t)(i + 1));
    }
    free(want.t);
    free(got.t);
    pdx_spans_free(&spans);
}

static const char *const SENTENCES[] = {
    "L’Organisation mondiale de la santé (OMS) et l'AP-HP ont signé jusqu’au 31 décembre.",
    "Le Centre hospitalier Georges-Pompidou, l'O.M.S. et l’ONU : 10,5 % en 2023-2024.",
    "CSU2030, covid19, COP28, 1er, H1N1, C3Medical, France-Kazakhstan — lorsqu'il vient.",
    "Qu'en est-il ? « Œuvre », cœur, Æther, ÉTAT, Ça va. e\xcc\x81te\xcc\x81 (décomposé).",
    "www.sante.gouv.fr, a.b.c, fin.Début, 3.14, 1.000.000 et 2,5 – -- - ‐ ‑ x-y-z.",
    "日本語のテキスト، العربية، русский текст, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 ǅ ﬁn ß ẞ İ ı.",
    "\xcc\x81 lone mark, \xe2\x80\x8b zero width, tab\tand\nnew\r\nlines  NBSP\xc2\xa0here.",
    "Louis \xe2\x85\xa9\xe2\x85\xa0, \xe2\x85\xaa\xef\xbb\xbf\xe2\x85\xaa, "
    "\xe2\x91\xa0\xe2\x91\xa1, x\xc2\xb2, "
    "\xe2\x85\xab\xe2\x85\xab (numerals that fold to letters).",
    "",
    "   ",
    "d'",
    "l'OMS",
    "L’",
    "qu’",
    "aujourd'hui",
    "prud’hommes",
    "AP-",
    "-HP",
    "a--b",
};

static void test_sentences_same_both_ways(void **state)
{
    static const unsigned char none[256] = {0};
    unsigned char s_only[256] = {0};
    s_only['s'] = 1;
    for (size_t i = 0; i < sizeof SENTENCES / sizeof SENTENCES[0]; i++) {
        check_same(*state, SENTENCES[i], strlen(SENTENCES[i]), NULL);
        check_same(*state, SENTENCES[i], strlen(SENTENCES[i]), s_only);
        check_same(*state, SENTENCES[i], strlen(SENTENCES[i]), none);
    }
}

static void test_seed_documents_same_both_ways(void **state)
{
    static const char *const seeds[] = {
        "corpus/000_36fc1289ac051e09.txt", "corpus/001_8e641fb18770ba8c.txt",
        "corpus/002_caae2bc06b828587.txt", "corpus/003_57e3dac7c043790a.txt",
        "corpus/004_6b03d146d6a56937.txt"};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        FILE *fp = fopen(seeds[i], "rb");
        assert_non_null(fp);
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        assert_true(n > 0 && n < sizeof buf);
        check_same(*state, buf, n, NULL);
    }
}

/* Random texts over characters that take every path of the analyzer, valid UTF-8. */
static void test_random_texts_same_both_ways(void **state)
{
    static const char *const pieces[] = {
        "a",        "E",  "é",  "É", "œ",  "Œ",    "ß",  "l",        "d",    "qu",      "L",
        "OMS",      "AP", "hp", "1", "23", "2030", " ",  " ",        "  ",   "-",       "‐",
        "'",        "’",  ".",  ",", ":",  "\n",   "\t", "\xc2\xa0", "日本", "العربية", "😀",
        "\xcc\x81", "ﬁ",  "İ",  "_", "°",  "§",    "(",  "»",        "«"};
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    unsigned long seed = 20261123;
    char text[512];
    for (int round = 0; round < 4000; round++) {
        size_t len = 0;
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        int count = (int)((seed >> 33) % 40);
        for (int k = 0; k < count; k++) {
            seed = seed * 6364136223846793005ul + 1442695040888963407ul;
            const char *p = pieces[(seed >> 33) % npieces];
            size_t pl = strlen(p);
            if (len + pl >= sizeof text)
                break;
            memcpy(text + len, p, pl);
            len += pl;
        }
        check_same(*state, text, len, NULL);
    }
}

/* The filter test_report_only sets, written out: forms that begin with "sa" or "et", with
 * "l" or with "10", or whose stem can be "ai". */
static int wanted(const char *folded)
{
    unsigned char f0 = (unsigned char)folded[0], f1 = (unsigned char)folded[1];
    int alnum1 = (f1 >= 'a' && f1 <= 'z') || (f1 >= '0' && f1 <= '9');
    if (f0 == 'l')
        return 1;
    if (f0 != 's' && f0 != 'e' && f0 != '1' && f0 != 'a')
        return 0;
    if (!alnum1) /* one byte, or a second byte the filter does not look at */
        return 1;
    return (f0 == 's' && f1 == 'a') || (f0 == 'e' && f1 == 't') || (f0 == '1' && f1 == '0') ||
           (f0 == 'a' && (f1 == 'i' || f1 == 'y'));
}

/* With pdx_analyzer_report_only, both ways report the tokens of the full analysis that
 * the filter lets through, positions unchanged. */
static void test_report_only(void **state)
{
    struct pdx_analyzer *a = *state;
    struct pdx_report_filter filter;
    pdx_report_filter_init(&filter, 0);
    pdx_report_filter_add_form(&filter, "sa", 2);
    pdx_report_filter_add_form(&filter, "et", 2);
    pdx_report_filter_add_form(&filter, "l", 1);
    pdx_report_filter_add_form(&filter, "10", 2);
    pdx_report_filter_add_stem(&filter, "ai", 2);
    size_t dropped_by_second = 0;
    for (size_t i = 0; i < sizeof SENTENCES / sizeof SENTENCES[0]; i++) {
        const char *text = SENTENCES[i];
        size_t len = strlen(text);
        struct pdx_spans spans = {0};
        struct toks all = {.spans = &spans}, by_text = {0}, by_spans = {0};
        assert_int_equal(pdx_analyze(a, text, len, 1, collect, &all), 0);
        pdx_analyzer_report_only(a, &filter);
        assert_int_equal(pdx_analyze(a, text, len, 1, collect, &by_text), 0);
        assert_int_equal(
            pdx_analyze_spans(a, text, len, spans.buf, spans.len, 1, collect, &by_spans), 0);
        pdx_analyzer_report_only(a, NULL);
        size_t k = 0;
        for (size_t j = 0; j < all.n; j++) {
            if (!wanted(all.t[j].folded)) {
                unsigned char f0 = (unsigned char)all.t[j].folded[0];
                dropped_by_second += f0 == 's' || f0 == 'e' || f0 == '1';
                continue;
            }
            assert_true(k < by_text.n && k < by_spans.n);
            assert_int_equal(by_text.t[k].pos, all.t[j].pos);
            assert_int_equal(by_spans.t[k].pos, all.t[j].pos);
            assert_int_equal(by_spans.t[k].start, all.t[j].start);
            assert_string_equal(by_spans.t[k].folded, all.t[j].folded);
            assert_string_equal(by_spans.t[k].stem, all.t[j].stem);
            k++;
        }
        assert_int_equal(by_text.n, k);
        assert_int_equal(by_spans.n, k);
        free(all.t);
        free(by_text.t);
        free(by_spans.t);
        pdx_spans_free(&spans);
    }
    assert_true(dropped_by_second >= 3); /* signé, en, 2023, ...: the second byte counts */
}

/* A filter on a stem lets through the words Snowball gives that stem, « ayissement »
 * (stem « ai ») too, and no word that begins otherwise. */
static void test_report_only_stem(void **state)
{
    struct pdx_analyzer *a = *state;
    static const char text[] = "Ayissement, aile, ai, aussi, Aîné, abri.";
    struct pdx_report_filter filter;
    pdx_report_filter_init(&filter, 0);
    pdx_report_filter_add_stem(&filter, "ai", 2);
    struct pdx_spans spans = {0};
    struct toks all = {.spans = &spans}, got = {0};
    assert_int_equal(pdx_analyze(a, text, strlen(text), 1, collect, &all), 0);
    pdx_analyzer_report_only(a, &filter);
    assert_int_equal(
        pdx_analyze_spans(a, text, strlen(text), spans.buf, spans.len, 1, collect, &got), 0);
    pdx_analyzer_report_only(a, NULL);
    size_t with_stem = 0;
    for (size_t j = 0; j < all.n; j++)
        with_stem += strcmp(all.t[j].stem, "ai") == 0;
    assert_int_equal(with_stem, 2); /* ayissement, ai */
    assert_int_equal(got.n, 4);     /* and aile, aîné: same first two bytes */
    assert_string_equal(got.t[0].folded, "ayissement");
    assert_string_equal(got.t[0].stem, "ai");
    assert_string_equal(got.t[1].folded, "aile");
    assert_string_equal(got.t[2].folded, "ai");
    assert_string_equal(got.t[3].folded, "aine");
    free(all.t);
    free(got.t);
    pdx_spans_free(&spans);
}

static int count_calls(void *ctx, const struct pdx_token *tok)
{
    (void)tok;
    ++*(int *)ctx;
    return 0;
}

/* A table that does not fit its text is refused before any token is reported. */
static void test_table_that_does_not_fit(void **state)
{
    const char *text = "santé publique";
    size_t len = strlen(text);
    struct {
        const unsigned char *b;
        size_t n;
    } bad[] = {
        {(const unsigned char *)"\x00\x40", 2}, /* past the end */
        {(const unsigned char *)"\x00\x0a", 2}, /* ends inside « é » */
        {(const unsigned char *)"\x05\x04", 2}, /* starts inside « é » */
        {(const unsigned char *)"\x00\x00", 2}, /* empty span */
        {(const unsigned char *)"\x00\x01", 2}, /* empty span, a number */
        {(const unsigned char *)"\x00", 1},     /* truncated */
        {(const unsigned char *)"\x00\x86", 2}, /* truncated varint */
        {(const unsigned char *)"\x00\x0c\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 13},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int calls = 0;
        assert_int_equal(
            pdx_analyze_spans(*state, text, len, bad[i].b, bad[i].n, 1, count_calls, &calls),
            PDX_SPANS_MISFIT);
        assert_int_equal(calls, 0);
    }
    int calls = 0; /* and a good one */
    assert_int_equal(pdx_analyze_spans(*state, text, len, (const unsigned char *)"\x00\x0c\x01\x10",
                                       4, 1, count_calls, &calls),
                     0);
    assert_int_equal(calls, 2);
}

static void test_spans_refuse_disorder(void **state)
{
    (void)state;
    struct pdx_spans s = {0};
    assert_int_equal(pdx_spans_add(&s, 3, 7, 0), 0);
    assert_int_equal(pdx_spans_add(&s, 5, 9, 0), -1); /* overlaps */
    assert_int_equal(pdx_spans_add(&s, 9, 9, 0), -1); /* empty */
    assert_int_equal(pdx_spans_add(&s, 300, 100000, PDX_TOK_NUMBER), 0);
    struct pdx_spans_reader r = {s.buf, s.len, 0};
    size_t a, b;
    unsigned fl;
    assert_int_equal(pdx_spans_next(&r, 100000, &a, &b, &fl), 1);
    assert_true(a == 3 && b == 7 && fl == 0);
    assert_int_equal(pdx_spans_next(&r, 100000, &a, &b, &fl), 1);
    assert_true(a == 300 && b == 100000 && fl == PDX_TOK_NUMBER);
    assert_int_equal(pdx_spans_next(&r, 100000, &a, &b, &fl), 0);
    pdx_spans_free(&s);
    assert_null(s.buf);
}

static void test_docdata_round_trip(void **state)
{
    (void)state;
    static const unsigned char table[] = {0, 5, 1, 3, 0};
    struct pdx_docdata in = {.path = "a/b.txt",
                             .path_len = 7,
                             .title = "Titre",
                             .title_len = 5,
                             .date = "2024-01-02",
                             .date_len = 10,
                             .spans = table,
                             .spans_len = sizeof table,
                             .text = "Titre\n\0suite",
                             .text_len = 12};
    char *blob;
    size_t n;
    assert_int_equal(pdx_docdata_encode(&in, &blob, &n), 0);
    struct pdx_docdata out;
    assert_int_equal(pdx_docdata_decode(blob, n, &out), 0);
    assert_int_equal(out.spans_len, sizeof table);
    assert_memory_equal(out.spans, table, sizeof table);
    assert_int_equal(out.text_len, 12);
    assert_memory_equal(out.text, in.text, 12);
    assert_int_equal(out.date_len, 10);
    /* A table length that is not a number, or runs past the end of the data, is refused. */
    blob[strlen("polidex3") + 1 + 7 + 1 + 5 + 1 + 10 + 1] = 'x';
    assert_int_equal(pdx_docdata_decode(blob, n, &out), -1);
    free(blob);
    static const char past[] = "polidex3\0p\0t\0\0"
                               "99\0abc";
    assert_int_equal(pdx_docdata_decode(past, sizeof past - 1, &out), -1);
    static const char fits[] = "polidex3\0p\0t\0\0"
                               "2\0abc";
    assert_int_equal(pdx_docdata_decode(fits, sizeof fits - 1, &out), 0);
    assert_int_equal(out.spans_len, 2);
    assert_int_equal(out.text_len, 1);

    in.spans = NULL; /* no table */
    assert_int_equal(pdx_docdata_encode(&in, &blob, &n), 0);
    assert_int_equal(pdx_docdata_decode(blob, n, &out), 0);
    assert_null(out.spans);
    assert_int_equal(out.text_len, 12);
    free(blob);
}

/* A head keeps the fields, drops the span table, and cuts the text to at most
 * PDX_DOCDATA_HEAD_TEXT bytes on a character boundary; it decodes as a head. */
static void test_docdata_head(void **state)
{
    (void)state;
    char text[PDX_DOCDATA_HEAD_TEXT + 64];
    /* « é » (2 bytes) straddling the limit whatever its parity: 'a' then é é é … */
    text[0] = 'a';
    for (size_t i = 1; i + 1 < sizeof text; i += 2) {
        text[i] = (char)0xC3;
        text[i + 1] = (char)0xA9;
    }
    static const unsigned char table[] = {0, 1};
    struct pdx_docdata whole = {.path = "p",
                                .path_len = 1,
                                .title = "t",
                                .title_len = 1,
                                .date = "",
                                .date_len = 0,
                                .spans = table,
                                .spans_len = sizeof table,
                                .text = text,
                                .text_len = sizeof text - 1};
    struct pdx_docdata h = pdx_docdata_head(&whole);
    assert_int_equal(h.head, 1);
    assert_null(h.spans);
    assert_true(h.text_len <= PDX_DOCDATA_HEAD_TEXT && h.text_len >= PDX_DOCDATA_HEAD_TEXT - 1);
    assert_true(((unsigned char)text[h.text_len] & 0xC0) != 0x80); /* ends on a character */
    char *blob;
    size_t n;
    assert_int_equal(pdx_docdata_encode(&h, &blob, &n), 0);
    assert_memory_equal(blob, PDX_DOCDATA_HEAD_MAGIC, sizeof PDX_DOCDATA_HEAD_MAGIC);
    struct pdx_docdata out;
    assert_int_equal(pdx_docdata_decode(blob, n, &out), 0);
    assert_int_equal(out.head, 1);
    assert_null(out.spans);
    assert_int_equal(out.text_len, h.text_len);
    assert_memory_equal(out.text, text, h.text_len);
    assert_int_equal(out.path_len, 1);
    blob[7] = '9'; /* another magic */
    assert_int_equal(pdx_docdata_decode(blob, n, &out), -1);
    free(blob);

    /* A text shorter than the limit is kept whole; the whole document decodes as such. */
    whole.text_len = 10;
    h = pdx_docdata_head(&whole);
    assert_int_equal(h.text_len, 10);
    assert_int_equal(pdx_docdata_encode(&whole, &blob, &n), 0);
    assert_int_equal(pdx_docdata_decode(blob, n, &out), 0);
    assert_int_equal(out.head, 0);
    free(blob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sentences_same_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed_documents_same_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_texts_same_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_only_stem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_that_does_not_fit, setup, teardown),
        cmocka_unit_test(test_spans_refuse_disorder),
        cmocka_unit_test(test_docdata_round_trip),
        cmocka_unit_test(test_docdata_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
