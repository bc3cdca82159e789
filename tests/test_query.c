/*
 * test_query.c — the query language: parsing, errors with their offsets, field filters
 * and date ranges, highlighting decisions.
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
#include "pdx_extract.h"
#include "pdx_filters.h"
#include "pdx_query.h"

struct fixture {
    struct pdx_analyzer *a;
    struct pdx_extractor *ex;
    char explain[8192];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    if (!f)
        return -1;
    f->a = pdx_analyzer_new(err, sizeof err);
    f->ex = pdx_extractor_new(NULL, NULL, err, sizeof err);
    if (!f->a || !f->ex)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pdx_extractor_free(f->ex);
    pdx_analyzer_free(f->a);
    free(f);
    return 0;
}

/* Parses and builds `q`; returns the explanation, or NULL (with *err filled). */
static const char *understood(struct fixture *f, const char *q, struct pdx_query_error *err)
{
    struct pdx_query *pq = pdx_query_parse_ex(f->a, f->ex, q, strlen(q), err);
    if (!pq)
        return NULL;
    struct xs_query *xq = NULL;
    if (pdx_query_build(pq, &xq, err) != 0) {
        pdx_query_free(pq);
        return NULL;
    }
    xs_query_free(xq);
    pdx_query_explain(pq, f->explain, sizeof f->explain);
    pdx_query_free(pq);
    return f->explain;
}

static void test_parse_valid_queries(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *query;
        const char *must_contain;
    } cases[] = {
        {"santé", "word: sante (stem sant)"},
        {"SANTÉ publique", "AND"},
        {"l'OMS", "word: oms"},
        {"l’OMS", "word: oms"},
        {"OMS OR ONU", "OR"},
        {"Kazakhstan NOT OMS", "AND NOT"},
        {"Kazakhstan -OMS", "AND NOT"},
        {"+santé coopération", "AND"},
        {"(OMS OR ONU) santé", "OR"},
        {"\"soins de santé primaires\"", "phrase: soins de (stop word) sante primaires"},
        {"«soins de santé primaires»", "phrase: soins"},
        {"santé NEAR/5 mentale", "NEAR (within 5 words)"},
        {"santé NEAR mentale", "NEAR (within 10 words)"},
        {"hôp*", "prefix: hop*"},
        {"AP-HP", "joined aphp"},
        {"title:kazakhstan", "word in title: kazakhstan"},
        {"institution:OMS", "filter institution: oms"},
        {"institution:\"Organisation mondiale de la santé\"", "filter institution: oms"},
        {"date:2023", "filter date: 2023-01-01..2023-12-31"},
        {"date:2023-11..2024-02", "filter date: 2023-11-01..2024-02-29"},
        {"santé date:2025 institution:oms", "FILTER BY"},
        {"path:corpus/", "filter path: corpus/ (and below)"},
        {"-santé", "all documents"},
        {"OMS", "or institution oms"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pdx_query_error err;
        const char *e = understood(f, cases[i].query, &err);
        if (!e)
            fail_msg("'%s' refused: %s", cases[i].query, err.message);
        if (!strstr(e, cases[i].must_contain))
            fail_msg("'%s' → %s (wanted '%s')", cases[i].query, e, cases[i].must_contain);
    }
}

static void test_parse_errors_point_at_the_problem(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *query;
        const char *message;
        size_t offset;
    } cases[] = {
        {"santé \"soins de", "unbalanced quote", 7},
        {"(santé OR oms", "unbalanced parenthesis", 0},
        {"santé)", "unbalanced parenthesis", 6},
        {"foo:bar", "unknown field 'foo:'", 0},
        {"institution:", "needs a value", 0},
        {"date:2023-13", "not a date", 0},
        {"date:2025..2023", "impossible range", 0},
        {"date:1000..9999", "range too wide", 0},
        {"*", "'*' alone", 0},
        {"santé NEAR", "NEAR needs a word", 7},
        {"NEAR/0 x", "NEAR/n needs a number", 0},
        {"santé OR", "OR at byte 7", 7},
        {"", "nothing to search for", 0},
        {"sant\xc3", "invalid UTF-8 at byte 4", 4},
        {"(OMS  ORONU)\xc2\xab"
         "ant\xc3\xa9",
         "unbalanced quote", 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pdx_query_error err;
        const char *e = understood(f, cases[i].query, &err);
        if (e)
            fail_msg("'%s' accepted: %s", cases[i].query, e);
        if (!strstr(err.message, cases[i].message))
            fail_msg("'%s': message '%s' (wanted '%s')", cases[i].query, err.message,
                     cases[i].message);
        if (err.offset != cases[i].offset)
            fail_msg("'%s': offset %zu (wanted %zu)", cases[i].query, err.offset, cases[i].offset);
    }
}

static void test_parse_deep_nesting_refused(void **state)
{
    struct fixture *f = *state;
    char q[2100];
    memset(q, '(', 1000);
    memcpy(q + 1000, "santé", sizeof "santé");
    struct pdx_query_error err;
    assert_null(understood(f, q, &err));
    assert_non_null(strstr(err.message, "nested too deeply"));
}

static void test_parse_huge_query_refused(void **state)
{
    struct fixture *f = *state;
    size_t n = PDX_QUERY_MAX_BYTES + 10;
    char *q = malloc(n + 1);
    assert_non_null(q);
    for (size_t i = 0; i < n; i++)
        q[i] = i % 6 == 5 ? ' ' : 'a';
    q[n] = '\0';
    struct pdx_query_error err;
    assert_null(understood(f, q, &err));
    assert_non_null(strstr(err.message, "query too long"));
    free(q);
}

static void test_parse_many_words_refused(void **state)
{
    struct fixture *f = *state;
    char q[4096] = "";
    size_t at = 0;
    for (int i = 0; i < PDX_QUERY_MAX_WORDS + 5; i++)
        at += (size_t)snprintf(q + at, sizeof q - at, "m%d ", i);
    struct pdx_query_error err;
    assert_null(understood(f, q, &err));
    assert_non_null(strstr(err.message, "at most"));
}

static void test_filter_date_range_cover(void **state)
{
    struct fixture *f = *state;
    struct pdx_filter_terms t;
    char why[256];
    /* 2023-11-30 .. 2025-01-02: one day, one month, one year, two days. */
    const char *v = "2023-11-30..2025-01-02";
    assert_int_equal(
        pdx_filter_terms(f->a, NULL, f->ex, PDX_FIELD_DATE, v, strlen(v), &t, why, sizeof why), 0);
    const char *want[] = {"D20231130", "M202312", "Y2024", "D20250101", "D20250102"};
    assert_int_equal(t.n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(t.terms[i], want[i]);
    pdx_filter_terms_free(&t);

    /* A leap day exists in 2024 and not in 2023. */
    v = "2024-02-29";
    assert_int_equal(
        pdx_filter_terms(f->a, NULL, f->ex, PDX_FIELD_DATE, v, strlen(v), &t, why, sizeof why), 0);
    assert_int_equal(t.n, 1);
    assert_string_equal(t.terms[0], "D20240229");
    pdx_filter_terms_free(&t);
    v = "2023-02-29";
    assert_int_equal(
        pdx_filter_terms(f->a, NULL, f->ex, PDX_FIELD_DATE, v, strlen(v), &t, why, sizeof why), -1);
}

static void test_filter_institution_forms_agree(void **state)
{
    struct fixture *f = *state;
    const char *forms[] = {"OMS", "Organisation mondiale de la santé", "oms"};
    for (size_t i = 0; i < 3; i++) {
        struct pdx_filter_terms t;
        char why[256];
        assert_int_equal(pdx_filter_terms(f->a, NULL, f->ex, PDX_FIELD_INSTITUTION, forms[i],
                                          strlen(forms[i]), &t, why, sizeof why),
                         0);
        assert_int_equal(t.n, 1);
        if (strcmp(t.terms[0], "XIoms") != 0)
            fail_msg("institution:%s → %s", forms[i], t.terms[0]);
        pdx_filter_terms_free(&t);
    }
}

/* Which document tokens does a query light up? */
struct lit {
    const struct pdx_query *q;
    const char *text;
    char seen[512];
    size_t len;
};

static int on_token(void *vctx, const struct pdx_token *tok)
{
    struct lit *l = vctx;
    if (pdx_query_match_token(l->q, tok) >= 0) {
        int n = snprintf(l->seen + l->len, sizeof l->seen - l->len, "[%.*s]",
                         (int)(tok->end - tok->start), l->text + tok->start);
        if (n > 0)
            l->len += (size_t)n;
    }
    return 0;
}

static void test_match_token_highlights(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *query, *text, *lit;
    } cases[] = {
        {"oms", "un partenariat avec l’OMS pour", "[OMS]"},
        {"hopitaux", "l’Hôpital européen et les hôpitaux", "[Hôpital][hôpitaux]"},
        {"\"soins de santé\"", "les soins de santé primaires", "[soins][santé]"},
        {"hôp*", "l’Hôpital, l'hospice", "[Hôpital]"},
        {"oeuvre", "la mise en œuvre", "[œuvre]"},
        {"santé -oms", "la santé de l’OMS", "[santé]"},
        /* A stop word typed beside other words is not searched for: not lit either. */
        {"soins de santé", "des soins de santé", "[soins][santé]"},
        {"de", "des soins de santé", "[des][de]"},
        {"de OR la", "la santé de l'enfant", "[la][de]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pdx_query_error err;
        struct pdx_query *pq = pdx_query_parse(f->a, cases[i].query, strlen(cases[i].query), &err);
        assert_non_null(pq);
        struct lit l = {.q = pq, .text = cases[i].text};
        assert_int_equal(pdx_analyze(f->a, cases[i].text, strlen(cases[i].text), 1, on_token, &l),
                         0);
        if (strcmp(l.seen, cases[i].lit) != 0)
            fail_msg("'%s' on '%s' lit %s (wanted %s)", cases[i].query, cases[i].text, l.seen,
                     cases[i].lit);
        pdx_query_free(pq);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid_queries),
        cmocka_unit_test(test_parse_errors_point_at_the_problem),
        cmocka_unit_test(test_parse_deep_nesting_refused),
        cmocka_unit_test(test_parse_huge_query_refused),
        cmocka_unit_test(test_parse_many_words_refused),
        cmocka_unit_test(test_filter_date_range_cover),
        cmocka_unit_test(test_filter_institution_forms_agree),
        cmocka_unit_test(test_match_token_highlights),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
