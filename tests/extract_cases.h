/*
 * extract_cases.h — what the table-driven extractor tests share: the extractor fixture,
 * and the comparison of a text's mentions with the expected ones, each written as its
 * surface form (located in the text by the test, so that tables stay readable) and its
 * value or id.
 */
#ifndef TESTS_EXTRACT_CASES_H
#define TESTS_EXTRACT_CASES_H

#include <stdio.h>
#include <string.h>

#include "pdx_extract.h"

/* One expected mention; a NULL surface ends a case's list. */
struct expect {
    const char *surface;
    const char *value; /* TIMEX3 value for dates, id for institutions and pillars */
};

/* One mention found, as the comparison sees it. */
struct found {
    size_t start, end;
    const char *value;
};

static inline int extract_setup(void **state)
{
    char err[256];
    struct pdx_extractor *ex = pdx_extractor_new(NULL, NULL, err, sizeof err);
    if (!ex) {
        fprintf(stderr, "pdx_extractor_new: %s\n", err);
        return -1;
    }
    *state = ex;
    return 0;
}

static inline int extract_teardown(void **state)
{
    pdx_extractor_free(*state);
    return 0;
}

/* Compares the `ngot` mentions found in `text` with the first of `want` (up to `max` or
 * a NULL surface). Each expected surface is looked for after the previous one's end, or
 * with `nested` after its start (a pillar list item may contain theme mentions). Prints
 * what differs and returns 1, or returns 0. A surface absent from the text is a typo in
 * the table and fails the test. */
static inline int expect_mentions(const char *text, const char *kind, const struct found *got,
                                  size_t ngot, const struct expect *want, size_t max, int nested)
{
    size_t n = 0, from = 0;
    int bad = 0;
    while (n < max && want[n].surface)
        n++;
    if (ngot != n) {
        fprintf(stderr, "  \"%s\": %zu %s, expected %zu:", text, ngot, kind, n);
        for (size_t i = 0; i < ngot; i++)
            fprintf(stderr, " [%.*s]=%s", (int)(got[i].end - got[i].start), text + got[i].start,
                    got[i].value);
        fputc('\n', stderr);
        bad = 1;
    }
    for (size_t i = 0; i < n && i < ngot; i++) {
        const char *p = strstr(text + from, want[i].surface);
        assert_non_null(p);
        size_t s = (size_t)(p - text), e = s + strlen(want[i].surface);
        from = nested ? s + 1 : e;
        if (got[i].start != s || got[i].end != e || strcmp(got[i].value, want[i].value) != 0) {
            fprintf(stderr, "  \"%s\": got [%.*s]=%s, expected [%s]=%s\n", text,
                    (int)(got[i].end - got[i].start), text + got[i].start, got[i].value,
                    want[i].surface, want[i].value);
            bad = 1;
        }
    }
    return bad;
}

#endif /* TESTS_EXTRACT_CASES_H */
